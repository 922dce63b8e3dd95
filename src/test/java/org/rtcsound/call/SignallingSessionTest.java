package org.rtcsound.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The call core against fake ports, one case per row of the README's "Signalling protocol"
 * table, without Liberty or GStreamer. Two rows are the WebSocket adapter's, not the
 * core's, and are tested over the real server (SignallingIT): a binary frame (close 1003)
 * and a frame over the size limit (close 1009), both decided in {@code SignallingEndpoint}
 * before a frame reaches the session.
 */
@Timeout(5)
class SignallingSessionTest {

    private static final String TOKEN = "alice's token";
    private static final String OFFER = "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 96\r\n";
    private static final String ANSWER_SDP = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
            + "m=audio 9 UDP/TLS/RTP/SAVPF 96\r\na=ice-ufrag:abcd\r\na=ice-pwd:efgh\r\n"
            + "a=fingerprint:sha-256 00:11\r\na=recvonly\r\n";
    private static final String ANSWER = "{\"sdp\":{\"type\":\"answer\",\"sdp\":\""
            + ANSWER_SDP.replace("\r\n", "\\r\\n") + "\"}}";
    private static final String CANDIDATE = "candidate:1 1 UDP 2122260223 10.0.0.1 54321 typ host";

    /** The socket: what was written, and how it was closed. */
    private static final class FakeTransport implements Transport {
        final List<String> sent = new ArrayList<>();
        Integer closeCode;
        boolean authenticated;
        int pings;
        boolean pingsFail;
        final List<AudioFrame> frames = new ArrayList<>();
        /** How many more frames the socket takes before its reader counts as too slow. */
        int frameRoom = Integer.MAX_VALUE;

        @Override
        public boolean sendFrame(AudioFrame frame) {
            if (closeCode != null || frameRoom == 0) {
                return false;
            }
            frameRoom--;
            frames.add(frame);
            return true;
        }

        @Override
        public boolean ping() {
            pings++;
            return !pingsFail;
        }

        @Override
        public void send(OutboundMessage message) {
            if (closeCode == null) {
                sent.add(message.text());
            }
        }

        @Override
        public void close(int code, String reason) {
            if (closeCode == null) {
                closeCode = code;
            }
        }

        @Override
        public void authenticated() {
            authenticated = true;
        }
    }

    /** The media side: records what the session asked of it; the test plays its events. */
    private static final class FakePeer implements MediaPeer {
        final MediaPeer.Listener listener;
        boolean started;
        boolean closed;
        final List<String> answers = new ArrayList<>();
        final List<String> candidates = new ArrayList<>();
        final List<AudioFrame> microphone = new ArrayList<>();
        RuntimeException startFailure;
        final MediaPath path;

        FakePeer(MediaPeer.Listener listener, MediaPath path) {
            this.listener = listener;
            this.path = path;
        }

        @Override
        public void microphoneFrame(AudioFrame frame) {
            microphone.add(frame);
        }

        @Override
        public void start() {
            if (startFailure != null) {
                throw startFailure;
            }
            started = true;
        }

        @Override
        public void applyAnswer(String sdp) {
            answers.add(sdp);
        }

        @Override
        public void addRemoteCandidate(int sdpMLineIndex, String candidate) {
            candidates.add(sdpMLineIndex + " " + candidate);
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    /** The use case: tokens by name, and whatever opening a call should do. */
    private static final class FakeCalls implements Calls {
        final Map<String, Caller> tokens = Map.of(TOKEN, new Caller("alice", null, false),
                "desktop token", new Caller(null, "10.1.2.3", false));
        String unavailable;
        /** Whether calls are opened as their socket opens, before the HELLO (the server's default). */
        boolean prepares;
        Function<Caller, RuntimeException> refusal = caller -> null;
        final List<FakePeer> opened = new ArrayList<>();
        final List<String> refusedKinds = new ArrayList<>();
        final List<String> failures = new ArrayList<>();
        final List<Heal> heals = new ArrayList<>();
        final List<String> connected = new ArrayList<>();
        final List<String> ended = new ArrayList<>();
        RuntimeException startFailure;
        RuntimeException endedFailure;
        MediaPath defaultPath = MediaPath.WEBRTC;
        String webSocketUnavailable;

        @Override
        public MediaPath defaultPath() {
            return defaultPath;
        }

        @Override
        public String webSocketPathUnavailable() {
            return webSocketUnavailable;
        }

        @Override
        public void connected(String callId, MediaPeer peer, java.time.Duration sinceHello) {
            connected.add(callId + " after " + sinceHello.toMillis() + " ms");
        }

        @Override
        public void healed(Heal heal) {
            heals.add(heal);
        }

        @Override
        public void ended(String callId) {
            ended.add(callId);
            if (endedFailure != null) {
                throw endedFailure;
            }
        }

        @Override
        public void refused(Refusal refusal) {
            refusedKinds.add(refusal.kind());
        }

        @Override
        public void failed(String message) {
            failures.add(message);
        }

        @Override
        public Caller authenticate(String token) {
            Caller caller = tokens.get(token);
            if (caller == null) {
                throw new Refusal.TokenRefused("token expired");
            }
            return caller;
        }

        @Override
        public String unavailableReason() {
            return unavailable;
        }

        @Override
        public boolean preparesBeforeHello() {
            return prepares;
        }

        @Override
        public MediaPeer open(Caller caller, MediaPath path, MediaPeer.Listener listener) {
            RuntimeException refused = refusal.apply(caller);
            if (refused != null) {
                throw refused;
            }
            FakePeer peer = new FakePeer(listener, path);
            peer.startFailure = startFailure;
            opened.add(peer);
            return peer;
        }
    }

    /** Runs each task at once, on the caller's thread: the order is the submission order. */
    private static final CallExecutor AT_ONCE = onFailure -> task -> {
        try {
            task.run();
        } catch (RuntimeException e) {
            onFailure.accept(e);
        }
        return CompletableFuture.completedFuture(null);
    };

    private final FakeTransport transport = new FakeTransport();
    private final FakeCalls calls = new FakeCalls();
    private final SignallingSession session = new SignallingSession("s1", transport, calls, AT_ONCE);

    private void receive(String frame) {
        session.onMessage(InboundMessage.parse(frame));
    }

    private String last() {
        return transport.sent.get(transport.sent.size() - 1);
    }

    private void assertGoesOn() {
        assertNull(transport.closeCode, "the session goes on");
    }

    private void assertRefused(String error, int closeCode) {
        assertEquals(List.of(error), transport.sent);
        assertEquals(closeCode, transport.closeCode);
        assertTrue(calls.opened.isEmpty(), "a refused caller never gets a call");
        assertEquals(1, calls.refusedKinds.size(), "every refusal is counted once: " + calls.refusedKinds);
    }

    private FakePeer signedInAndOffered() {
        session.onOpen(TOKEN);
        receive("HELLO alice");
        FakePeer peer = calls.opened.get(0);
        peer.listener.onOffer(OFFER);
        return peer;
    }

    // --- the token ---

    @Test
    void aTokenInTheHandshakeSignsInAndNothingIsSaid() {
        session.onOpen(TOKEN);
        assertTrue(transport.authenticated, "the connection may now stay quiet");
        assertEquals(List.of(), transport.sent);
        assertEquals("new-signed-in", session.describeState());
    }

    @Test
    void aTokenAsTheFirstMessageSignsInAndASecondOneIsAnError() {
        session.onOpen(null);
        receive("TOKEN " + TOKEN);
        assertTrue(transport.authenticated);
        receive("HELLO alice");
        assertEquals("HELLO", transport.sent.get(0));
        receive("TOKEN " + TOKEN);
        assertEquals("ERROR this connection is already authenticated", last());
        assertGoesOn();
    }

    @Test
    void aBadTokenInTheHandshakeIsRefusedWith1008() {
        session.onOpen("forged");
        assertRefused("ERROR token refused: token expired", CloseCode.REFUSED);
        assertFalse(transport.authenticated);
    }

    @Test
    void aBadTokenAsTheFirstMessageIsRefusedWith1008() {
        session.onOpen(null);
        receive("TOKEN forged");
        assertRefused("ERROR token refused: token expired", CloseCode.REFUSED);
    }

    @Test
    void anythingBeforeATokenIsRefusedWith1008() {
        for (String frame : List.of("HELLO alice", ANSWER, "{\"sdp\": {", "DANCE", "MEDIA websocket", "ECHO 1")) {
            FakeTransport socket = new FakeTransport();
            new SignallingSession("s", socket, calls, AT_ONCE).onMessage(InboundMessage.parse(frame));
            assertEquals(1, socket.sent.size(), frame);
            assertTrue(socket.sent.get(0).startsWith("ERROR authentication required: send the token first"), frame);
            assertEquals(CloseCode.REFUSED, socket.closeCode, frame);
        }
        assertTrue(calls.opened.isEmpty());
    }

    // --- HELLO, the offer, the answer and candidates ---

    @Test
    void helloIsAnsweredWithHelloThenTheOfferAndCandidatesOfTheMediaSide() {
        session.onOpen(TOKEN);
        receive("HELLO alice");
        FakePeer peer = calls.opened.get(0);
        assertTrue(peer.started);
        assertEquals(List.of("HELLO"), transport.sent);
        peer.listener.onOffer(OFFER);
        peer.listener.onLocalCandidate(0, CANDIDATE);
        assertEquals(List.of("HELLO",
                "{\"sdp\":{\"type\":\"offer\",\"sdp\":\"v=0\\r\\nm=audio 9 UDP/TLS/RTP/SAVPF 96\\r\\n\"}}",
                "{\"ice\":{\"candidate\":\"" + CANDIDATE + "\",\"sdpMLineIndex\":0}}"), transport.sent);
        assertEquals("offered-signed-in", session.describeState());
        assertGoesOn();
    }

    @Test
    void aHelloWithoutAUsableUidIsAnError() {
        session.onOpen(TOKEN);
        for (String frame : List.of("HELLO", "HELLO two words", "HELLO " + "u".repeat(129))) {
            receive(frame);
            assertTrue(last().startsWith("ERROR HELLO needs a uid: HELLO <uid>"), frame);
        }
        assertTrue(calls.opened.isEmpty());
        assertGoesOn();
    }

    @Test
    void aDesktopTokenTakesAnyUidAsALabel() {
        session.onOpen("desktop token");
        receive("HELLO whoever");
        assertEquals(List.of("HELLO"), transport.sent);
        assertEquals(1, calls.opened.size());
    }

    @Test
    void theAnswerGoesToTheMediaSideAndNothingIsSaid() {
        FakePeer peer = signedInAndOffered();
        int said = transport.sent.size();
        receive(ANSWER);
        assertEquals(List.of(ANSWER_SDP), peer.answers);
        assertEquals(said, transport.sent.size());
        assertEquals("answered-signed-in", session.describeState());
    }

    @Test
    void candidatesAfterTheAnswerGoToTheMediaSideAndTheLastOneIsNot() {
        FakePeer peer = signedInAndOffered();
        receive(ANSWER);
        int said = transport.sent.size();
        receive("{\"ice\":{\"candidate\":\"" + CANDIDATE + "\",\"sdpMLineIndex\":0}}");
        receive("{\"ice\":{\"candidate\":\"\",\"sdpMLineIndex\":0}}");
        receive("{\"ice\":null}");
        assertEquals(List.of("0 " + CANDIDATE), peer.candidates);
        assertEquals(said, transport.sent.size());
        assertGoesOn();
    }

    // --- mistakes that get ERROR <reason> and change nothing ---

    @Test
    void aSecondHelloIsAnErrorAndTheCallGoesOn() {
        signedInAndOffered();
        receive("HELLO alice");
        assertEquals("ERROR HELLO was already received on this connection", last());
        assertEquals(1, calls.opened.size());
        assertGoesOn();
    }

    @Test
    void anAnswerBeforeTheOfferIsAnError() {
        session.onOpen(TOKEN);
        receive(ANSWER);
        assertEquals("ERROR say HELLO <uid> first", last());
        assertTrue(calls.opened.isEmpty(), "an answer builds nothing");
        receive("HELLO alice");
        receive(ANSWER);
        assertEquals("ERROR no offer was sent yet", last());
        calls.opened.get(0).listener.onOffer(OFFER);
        receive(ANSWER);
        receive(ANSWER);
        assertEquals("ERROR an answer was already applied", last());
        assertEquals(1, calls.opened.get(0).answers.size());
        assertGoesOn();
    }

    @Test
    void aCandidateBeforeTheAnswerIsAnError() {
        FakePeer peer = signedInAndOffered();
        receive("{\"ice\":{\"candidate\":\"" + CANDIDATE + "\",\"sdpMLineIndex\":0}}");
        assertEquals("ERROR a candidate can only follow the answer", last());
        receive("{\"ice\":{\"candidate\":\"x\"}}");
        assertTrue(last().startsWith("ERROR invalid ice message"));
        assertTrue(peer.candidates.isEmpty());
        assertGoesOn();
    }

    @Test
    void anOfferFromTheBrowserIsAnError() {
        signedInAndOffered();
        receive("{\"sdp\":{\"type\":\"offer\",\"sdp\":\"v=0\"}}");
        assertEquals("ERROR rtcsound makes the offer; the browser sends only an answer", last());
        assertGoesOn();
    }

    @Test
    void theRelayCommandsAreErrors() {
        session.onOpen(TOKEN);
        for (String command : List.of("SESSION bob", "ROOM 42", "ROOM_PEER_MSG 1 hi")) {
            receive(command);
            assertTrue(last().startsWith("ERROR " + command.split(" ")[0] + " is not supported"), command);
        }
        assertGoesOn();
    }

    @Test
    void unknownTextIsAnError() {
        session.onOpen(TOKEN);
        receive("DANCE");
        assertEquals("ERROR unknown message: expected TOKEN <jwt>, HELLO <uid>, or JSON with \"sdp\" or \"ice\"", last());
        assertGoesOn();
    }

    @Test
    void invalidJsonIsAnErrorAndTheSessionStillWorks() {
        session.onOpen(TOKEN);
        receive("{\"sdp\": {\"type\": ");
        assertTrue(last().startsWith("ERROR invalid JSON"));
        receive("[1,2]");
        assertEquals("ERROR invalid JSON message: expected an object", last());
        receive("{\"hello\":1}");
        assertEquals("ERROR unknown JSON message: expected \"sdp\" or \"ice\"", last());
        receive("[".repeat(5000));
        assertTrue(last().startsWith("ERROR invalid JSON"));
        receive("HELLO alice");
        assertEquals("HELLO", last());
        assertGoesOn();
    }

    @Test
    void anInvalidSdpAnswerIsAnErrorAndTheOfferStands() {
        FakePeer peer = signedInAndOffered();
        receive("{\"sdp\":{\"type\":\"answer\",\"sdp\":\"hello world\"}}");
        assertEquals("ERROR invalid SDP: it must start with v=0", last());
        receive("{\"sdp\":{\"type\":\"answer\",\"sdp\":\"v=0\\r\\ns=-\\r\\n\"}}");
        assertEquals("ERROR invalid SDP: it has no m=audio line", last());
        assertTrue(peer.answers.isEmpty());
        receive(ANSWER);
        assertEquals(List.of(ANSWER_SDP), peer.answers, "the offer still stands");
        assertGoesOn();
    }

    @Test
    void soundTurnedOffIsAnErrorAndBuildsNothing() {
        calls.unavailable = "sound is turned off on this server (webrtc.enable is False)";
        session.onOpen(TOKEN);
        receive("HELLO alice");
        assertEquals(List.of("ERROR sound is turned off on this server (webrtc.enable is False)"), transport.sent);
        assertTrue(calls.opened.isEmpty());
        assertGoesOn();
    }

    // --- the media side fails ---

    @Test
    void aMediaFailureIsAReadableErrorAndClose1011() {
        FakePeer peer = signedInAndOffered();
        peer.listener.onWarning("the microphone failed: no sink 'virtmic'");
        assertEquals("ERROR the microphone failed: no sink 'virtmic'", last());
        assertGoesOn();
        peer.listener.onError("no PulseAudio source 'virtspk.monitor'");
        assertEquals("ERROR no PulseAudio source 'virtspk.monitor'", last());
        assertEquals(CloseCode.MEDIA_FAILED, transport.closeCode);
        assertEquals(List.of("no PulseAudio source 'virtspk.monitor'"), calls.failures, "counted as a failed call");
    }

    @Test
    void everyKindOfRefusalHasAStableNameToBeCountedBy() {
        assertEquals(List.of("token-refused", "authentication-required", "wrong-user", "no-desktop", "limit-reached",
                "invalid-setting"), List.of(new Refusal.TokenRefused("expired"), new Refusal.AuthenticationRequired(),
                        new Refusal.WrongUser("bob"), new Refusal.NoDesktop("none"), new Refusal.LimitReached("full"),
                        new Refusal.InvalidSetting("k", "bad")).stream().map(Refusal::kind).toList());
    }

    @Test
    void aMediaTaskThatThrowsIsAnInternalErrorAndClose1011() {
        calls.startFailure = new IllegalStateException("boom");
        session.onOpen(TOKEN);
        receive("HELLO alice");
        assertEquals(List.of("HELLO", "ERROR internal error: java.lang.IllegalStateException: boom"), transport.sent);
        assertEquals(CloseCode.MEDIA_FAILED, transport.closeCode);
    }

    // --- refusals: ERROR <reason> and the refusal's close code, before any call ---

    @Test
    void aHelloWithAnotherUsersUidIsRefusedWith1008() {
        session.onOpen(TOKEN);
        receive("HELLO bob");
        assertRefused("ERROR HELLO bob does not match the token's user", CloseCode.REFUSED);
    }

    @Test
    void aLimitReachedIsRefusedWith1013() {
        calls.refusal = caller -> new Refusal.LimitReached("you already have 8 sessions open (the limit is 8); "
                + "close one first");
        session.onOpen(TOKEN);
        receive("HELLO alice");
        assertRefused("ERROR you already have 8 sessions open (the limit is 8); close one first",
                CloseCode.TRY_AGAIN_LATER);
    }

    @Test
    void noDesktopIsRefusedWith1011() {
        calls.refusal = caller -> new Refusal.NoDesktop("no desktop is running for user 'alice'");
        session.onOpen(TOKEN);
        receive("HELLO alice");
        assertRefused("ERROR no desktop is running for user 'alice'", CloseCode.MEDIA_FAILED);
    }

    @Test
    void anInvalidSettingIsRefusedNamingTheSettingWith1011() {
        calls.refusal = caller -> new Refusal.InvalidSetting("rtcsound.limits.sessions-per-user",
                "must be a whole number, got 'abc'");
        session.onOpen(TOKEN);
        receive("HELLO alice");
        assertRefused("ERROR setting 'rtcsound.limits.sessions-per-user' must be a whole number, got 'abc'",
                CloseCode.MEDIA_FAILED);
    }

    // --- a call prepared before its HELLO (rtcsound.signalling.prepare-before-hello) ---

    private static final String OFFER_JSON = "{\"sdp\":{\"type\":\"offer\",\"sdp\":\"v=0\\r\\nm=audio 9 UDP/TLS/RTP/SAVPF 96\\r\\n\"}}";
    private static final String CANDIDATE_JSON = "{\"ice\":{\"candidate\":\"" + CANDIDATE + "\",\"sdpMLineIndex\":0}}";

    @Test
    void withoutPreparationNothingIsBuiltBeforeTheHello() {
        session.onOpen(TOKEN);
        assertTrue(calls.opened.isEmpty());
        receive("HELLO alice");
        assertEquals(1, calls.opened.size());
    }

    @Test
    void aPreparedCallIsBuiltAsTheSocketOpensAndWhatItSaidFollowsTheHelloInOrder() {
        calls.prepares = true;
        session.onOpen(TOKEN);
        FakePeer peer = calls.opened.get(0);
        assertTrue(peer.started, "started before the HELLO");
        peer.listener.onOffer(OFFER);
        peer.listener.onLocalCandidate(0, CANDIDATE);
        peer.listener.onWarning("the microphone failed: no sink 'virtmic'");
        assertEquals(List.of(), transport.sent, "nothing is said before the HELLO is answered");
        assertEquals("new-signed-in", session.describeState());

        receive("HELLO alice");
        assertEquals(List.of("HELLO", OFFER_JSON, CANDIDATE_JSON, "ERROR the microphone failed: no sink 'virtmic'"),
                transport.sent);
        assertEquals("offered-signed-in", session.describeState());
        peer.listener.onLocalCandidate(0, CANDIDATE);
        assertEquals(CANDIDATE_JSON, last(), "later ones go at once");
        receive(ANSWER);
        assertEquals(1, peer.answers.size());
        assertEquals(1, calls.opened.size(), "the HELLO builds nothing more");
        assertGoesOn();
    }

    @Test
    void aHelloBeforeThePreparedOfferIsAnsweredAndTheOfferFollowsWhenMade() {
        calls.prepares = true;
        session.onOpen(TOKEN);
        receive("HELLO alice");
        assertEquals(List.of("HELLO"), transport.sent);
        assertEquals("starting-signed-in", session.describeState());
        calls.opened.get(0).listener.onOffer(OFFER);
        assertEquals(List.of("HELLO", OFFER_JSON), transport.sent);
    }

    @Test
    void aHelloThatComesWhileTheCallIsStillBeingPreparedIsAnsweredOnceItIs() {
        calls.prepares = true;
        List<Runnable> queued = new ArrayList<>();
        CallExecutor later = onFailure -> task -> {
            queued.add(task);
            return new CompletableFuture<>();
        };
        SignallingSession slow = new SignallingSession("s2", transport, calls, later);
        slow.onOpen(TOKEN);
        slow.onMessage(InboundMessage.parse("HELLO alice"));
        assertEquals(List.of(), transport.sent, "not before its call is open");
        assertTrue(calls.opened.isEmpty());
        queued.remove(0).run();
        assertEquals(List.of("HELLO"), transport.sent);
        assertTrue(calls.opened.get(0).started);
        assertTrue(queued.isEmpty(), "opened once");
    }

    @Test
    void aHelloRefusedReleasesThePreparedCall() {
        calls.prepares = true;
        session.onOpen(TOKEN);
        receive("HELLO bob");
        assertEquals(List.of("ERROR HELLO bob does not match the token's user"), transport.sent);
        assertEquals(CloseCode.REFUSED, transport.closeCode);
        assertTrue(calls.opened.get(0).closed, "the prepared call does not outlive the refusal");
        assertEquals(List.of("wrong-user"), calls.refusedKinds);
    }

    @Test
    void aPreparationRefusedIsTriedAgainAtTheHelloWhichSaysWhy() {
        calls.prepares = true;
        calls.refusal = caller -> new Refusal.NoDesktop("no desktop is running for user 'alice'");
        session.onOpen(TOKEN);
        assertEquals(List.of(), transport.sent);
        assertGoesOn();
        receive("HELLO alice");
        assertRefused("ERROR no desktop is running for user 'alice'", CloseCode.MEDIA_FAILED);
    }

    @Test
    void theWebSocketPathAskedBeforeTheHelloReleasesThePreparedCall() {
        calls.prepares = true;
        session.onOpen(TOKEN);
        FakePeer prepared = calls.opened.get(0);
        receive("MEDIA websocket");
        assertTrue(prepared.closed);
        prepared.listener.onOffer(OFFER);
        receive("HELLO alice");
        assertEquals(List.of("HELLO", "MEDIA websocket"), transport.sent, "no SDP from the call left");
        assertEquals(MediaPath.WEBSOCKET, calls.opened.get(1).path);
    }

    @Test
    void closingBeforeTheHelloReleasesThePreparedCall() {
        calls.prepares = true;
        session.onOpen(TOKEN);
        FakePeer prepared = calls.opened.get(0);
        assertTrue(session.onClose().isDone());
        assertTrue(prepared.closed);
        prepared.listener.onOffer(OFFER);
        assertEquals(List.of(), transport.sent);
    }

    @Test
    void soundTurnedOffPreparesNothing() {
        calls.prepares = true;
        calls.unavailable = "sound is turned off on this server (webrtc.enable is False)";
        session.onOpen(TOKEN);
        assertTrue(calls.opened.isEmpty());
    }

    @Test
    void aHandshakeThatSaysTheWebSocketPathIsComingPreparesNoWebRtcCall() {
        calls.prepares = true;
        session.onOpen(TOKEN, true);
        assertTrue(calls.opened.isEmpty(), "nothing is built only to be dropped at MEDIA websocket");
        assertTrue(transport.sent.isEmpty());
    }

    @Test
    void soundTurnedOffAfterSignInReleasesThePreparedCallAtTheHello() {
        calls.prepares = true;
        session.onOpen(TOKEN);
        FakePeer prepared = calls.opened.get(0);
        prepared.listener.onOffer(OFFER);
        calls.unavailable = "sound is turned off on this server (webrtc.enable is False)";
        receive("HELLO alice");
        assertEquals(List.of("ERROR sound is turned off on this server (webrtc.enable is False)"), transport.sent);
        assertTrue(prepared.closed, "the prepared call does not wait for the socket's close");
        prepared.listener.onLocalCandidate(0, "candidate:late");
        assertEquals(1, transport.sent.size(), "what it says after is dropped");
        assertGoesOn();
    }

    // --- the end ---

    @Test
    void closingReleasesTheCallOnceAndLaterEventsAreNotSent() {
        FakePeer peer = signedInAndOffered();
        int said = transport.sent.size();
        assertTrue(session.onClose().isDone());
        assertTrue(peer.closed);
        peer.listener.onOffer(OFFER);
        peer.listener.onError("late");
        assertEquals(said, transport.sent.size());
        assertTrue(session.onClose().isDone(), "a second close is harmless");
        assertEquals("closed-signed-in", session.describeState());
    }

    @Test
    void anOperatorEndingTheCallReleasesItsMediaAtOnceAndTellsTheBrowser() {
        FakePeer peer = signedInAndOffered();
        assertEquals("alice", session.view().caller());
        assertEquals("offered", session.view().state());
        assertTrue(session.endByOperator().isDone());
        assertTrue(peer.closed, "released without waiting for the socket to close");
        assertEquals("ERROR this call was ended by an operator", last());
        assertEquals(CloseCode.ENDED_BY_OPERATOR, transport.closeCode);
        assertEquals("closed", session.view().state());
    }

    @Test
    void aStoppingServerReleasesTheCallAndTellsTheBrowserToCallAgain() {
        FakePeer peer = signedInAndOffered();
        assertTrue(session.serverStopping().isDone());
        assertTrue(peer.closed);
        assertEquals(CloseCode.SERVICE_RESTART, transport.closeCode);
    }

    @Test
    void closingBeforeAnyCallHasNothingToRelease() {
        assertTrue(session.onClose().isDone());
        session.onOpen(TOKEN);
        assertFalse(transport.authenticated, "a closed session signs no one in");
    }

    // --- healing (with a clock of the test's own) ---

    /** A clock the test moves by hand. */
    private static final class TestClock extends java.time.Clock {
        java.time.Instant now = java.time.Instant.parse("2026-12-01T10:00:00Z");

        void advance(long millis) {
            now = now.plusMillis(millis);
        }

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public java.time.Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public java.time.Instant instant() {
            return now;
        }
    }

    private final TestClock clock = new TestClock();
    private final SignallingSession timed = new SignallingSession("s2", transport, calls, AT_ONCE, clock);

    private FakePeer answered() {
        timed.onOpen(TOKEN);
        timed.onMessage(InboundMessage.parse("HELLO alice"));
        FakePeer peer = calls.opened.get(0);
        peer.listener.onOffer(OFFER);
        timed.onMessage(InboundMessage.parse(ANSWER));
        return peer;
    }

    @Test
    void aConnectedCallIsTimedFromItsHelloOnce() {
        timed.onOpen(TOKEN);
        timed.onMessage(InboundMessage.parse("HELLO alice"));
        FakePeer peer = calls.opened.get(0);
        clock.advance(240);
        peer.listener.onConnected();
        peer.listener.onConnected();
        assertEquals(List.of("s2 after 240 ms"), calls.connected);
        timed.onClose();
        assertEquals(List.of("s2"), calls.ended, "the use case forgets the call when it ends");
    }

    @Test
    void aLostConnectionTellsThePageToCallAgainAndReleasesTheCall() {
        FakePeer peer = answered();
        peer.listener.onConnectionLost("ICE failed");
        assertTrue(peer.closed);
        assertEquals(CloseCode.CONNECTION_LOST, transport.closeCode);
        assertEquals(List.of(Heal.CONNECTION_LOST), calls.heals);
        peer.listener.onConnectionLost("ICE failed");
        assertEquals(1, calls.heals.size(), "a call is healed once");
    }

    @Test
    void aCallIsReleasedEvenWhenForgettingItsFiguresFails() throws Exception {
        FakePeer peer = answered();
        calls.endedFailure = new NullPointerException("a metrics registry racing itself");
        timed.onClose().get(5, java.util.concurrent.TimeUnit.SECONDS);
        assertTrue(peer.closed, "the media side is released all the same");
    }

    @Test
    void aPageThatCalledAgainOnItsOwnIsCountedOnceAndOnlyAfterItsHello() {
        timed.onOpen(TOKEN);
        timed.onMessage(InboundMessage.parse("HEALED stalled"));
        assertEquals("ERROR HEALED can only follow HELLO", transport.sent.get(transport.sent.size() - 1));
        timed.onMessage(InboundMessage.parse("HELLO alice"));
        timed.onMessage(InboundMessage.parse("HEALED stalled"));
        timed.onMessage(InboundMessage.parse("HEALED not-connected"));
        assertEquals(List.of(Heal.PAGE_STALLED), calls.heals);
        assertEquals("ERROR HEALED was already received on this connection", transport.sent.get(transport.sent.size() - 1));
        assertEquals("starting", timed.view().state(), "the call goes on");
    }

    @Test
    void aSilentBrowserIsPingedAndFreedWhenItDoesNotAnswer() {
        FakePeer peer = answered();
        peer.listener.onBrowserSilent();
        assertEquals(1, transport.pings);
        clock.advance(1000);
        peer.listener.onBrowserSilent();
        assertFalse(peer.closed, "the browser has " + SignallingSession.PONG_WAIT + " to answer");
        assertEquals(1, transport.pings, "one ping at a time");
        clock.advance(1000);
        peer.listener.onBrowserSilent();
        assertTrue(peer.closed, "no answer: the browser is gone and its call freed");
        assertEquals(CloseCode.BROWSER_SILENT, transport.closeCode);
        assertEquals(List.of(Heal.BROWSER_GONE), calls.heals);
    }

    @Test
    void aSilentBrowserThatAnswersItsPingKeepsItsCall() {
        FakePeer peer = answered();
        peer.listener.onBrowserSilent();
        clock.advance(1500);
        timed.onPong();
        clock.advance(1500);
        peer.listener.onBrowserSilent();
        assertFalse(peer.closed, "its packets may be lost, but the browser is there: the page heals its own side");
        assertNull(transport.closeCode);
        assertEquals(2, transport.pings, "asked again, since the silence goes on");
        assertEquals(List.of(), calls.heals);
    }

    @Test
    void aPingThatCouldNotBeSentIsNotWaitedFor() {
        FakePeer peer = answered();
        transport.pingsFail = true;
        peer.listener.onBrowserSilent();
        clock.advance(5000);
        peer.listener.onBrowserSilent();
        assertFalse(peer.closed, "no ping went out, so no silence proves the browser gone");
    }

    @Test
    void silenceBeforeTheAnswerIsNotABrowserGone() {
        timed.onOpen(TOKEN);
        timed.onMessage(InboundMessage.parse("HELLO alice"));
        FakePeer peer = calls.opened.get(0);
        peer.listener.onBrowserSilent();
        peer.listener.onConnectionLost("ICE failed");
        assertEquals(0, transport.pings);
        assertFalse(peer.closed);
    }

    @Test
    void aPingLeftUnansweredByAnEarlierSilenceIsAskedAgainNotTakenForAnAnswerMissing() {
        FakePeer peer = answered();
        peer.listener.onBrowserSilent();
        clock.advance(60_000); // RTCP came back meanwhile, with no pong seen
        peer.listener.onBrowserSilent();
        assertFalse(peer.closed, "a new silence asks again first");
        assertEquals(2, transport.pings);
    }

    @Test
    void anOperatorsEndIsNeverUndoneByAHealThatComesAfterIt() {
        FakePeer peer = answered();
        timed.endByOperator();
        peer.listener.onConnectionLost("ICE failed");
        peer.listener.onBrowserSilent();
        assertEquals(CloseCode.ENDED_BY_OPERATOR, transport.closeCode);
        assertEquals(List.of(), calls.heals, "nothing was healed");
        assertEquals(0, transport.pings);
    }

    @Test
    void aConnectionReportedAfterTheCallClosedIsNotTimed() {
        timed.onOpen(TOKEN);
        timed.onMessage(InboundMessage.parse("HELLO alice"));
        FakePeer peer = calls.opened.get(0);
        timed.onClose();
        peer.listener.onConnected();
        assertEquals(List.of(), calls.connected, "no figures for a call that is gone");
        assertEquals(List.of("s2"), calls.ended);
    }

    // --- the WebSocket path ---

    private static final AudioFrame FRAME = new AudioFrame(10_000, new byte[] {1, 2, 3});

    @Test
    void mediaWebSocketBeforeHelloStartsTheCallOnTheWebSocketPathWithoutSdp() {
        session.onOpen(TOKEN);
        receive("MEDIA websocket");
        assertEquals(List.of(), transport.sent, "nothing is said until HELLO");
        receive("HELLO alice");
        FakePeer peer = calls.opened.get(0);
        assertEquals(MediaPath.WEBSOCKET, peer.path);
        assertTrue(peer.started);
        assertEquals(List.of("HELLO", "MEDIA websocket"), transport.sent);
        assertEquals("streaming-signed-in", session.describeState());
        peer.listener.onAudioFrame(FRAME);
        assertEquals(List.of(FRAME), transport.frames, "the desktop's frames go out on the socket");
        assertTrue(session.onAudioFrame(FRAME));
        assertEquals(List.of(FRAME), peer.microphone, "the browser's frames reach the desktop");
        peer.listener.onConnected();
        assertEquals(1, calls.connected.size(), "the first frame out is the call connected");
        assertGoesOn();
    }

    @Test
    void theServersTransportSettingPutsEveryCallOnTheWebSocketPath() {
        calls.defaultPath = MediaPath.WEBSOCKET;
        session.onOpen(TOKEN);
        receive("HELLO alice");
        assertEquals(MediaPath.WEBSOCKET, calls.opened.get(0).path);
        assertEquals(List.of("HELLO", "MEDIA websocket"), transport.sent);
    }

    @Test
    void aCallWhoseIceDidNotConnectMovesToTheWebSocketPathOnTheSameSocket() {
        FakePeer webrtc = signedInAndOffered();
        receive(ANSWER);
        receive("MEDIA websocket");
        assertTrue(webrtc.closed, "the WebRTC attempt is closed before the new peer opens");
        FakePeer socket = calls.opened.get(1);
        assertEquals(MediaPath.WEBSOCKET, socket.path);
        assertTrue(socket.started);
        assertEquals("MEDIA websocket", last());
        assertEquals(List.of(Heal.WEBSOCKET_FALLBACK), calls.heals);
        int said = transport.sent.size();
        // What the old peer still reports, and the page's late candidates, are the attempt's: dropped.
        webrtc.listener.onLocalCandidate(0, CANDIDATE);
        webrtc.listener.onError("webrtcbin failed");
        receive("{\"ice\":{\"candidate\":\"" + CANDIDATE + "\",\"sdpMLineIndex\":0}}");
        assertEquals(said, transport.sent.size(), "nothing from the attempt given up reaches the page");
        assertTrue(webrtc.candidates.isEmpty());
        socket.listener.onAudioFrame(FRAME);
        assertEquals(1, transport.frames.size());
        assertGoesOn();
        session.onClose();
        assertTrue(socket.closed, "the WebSocket path's peer goes with the call");
    }

    @Test
    void aSecondMediaWebSocketIsAnErrorAndTheCallGoesOn() {
        session.onOpen(TOKEN);
        receive("MEDIA websocket");
        receive("HELLO alice");
        receive("MEDIA websocket");
        assertEquals("ERROR this call is already on the WebSocket path", last());
        assertEquals(1, calls.opened.size());
        assertGoesOn();
    }

    @Test
    void aServerThatCarriesOnlyWebRtcSaysSoAndTheCallStaysOnWebRtc() {
        calls.webSocketUnavailable = "this server carries sound over WebRTC only (rtcsound.transport=webrtc)";
        FakePeer webrtc = signedInAndOffered();
        receive("MEDIA websocket");
        assertEquals("ERROR " + calls.webSocketUnavailable, last());
        assertFalse(webrtc.closed);
        assertEquals(1, calls.opened.size());
        assertGoesOn();
    }

    @Test
    void binaryFramesOutsideTheWebSocketPathAreRefused() {
        FakePeer webrtc = signedInAndOffered();
        assertFalse(session.onWebSocketPath());
        assertFalse(session.onAudioFrame(FRAME), "the endpoint closes with 1003");
        assertTrue(webrtc.microphone.isEmpty());
    }

    @Test
    void aBrowserThatReadsTooSlowlyIsDroppedAndItsCallFreed() {
        transport.frameRoom = 2;
        session.onOpen(TOKEN);
        receive("MEDIA websocket");
        receive("HELLO alice");
        FakePeer peer = calls.opened.get(0);
        for (int i = 0; i < 5; i++) {
            peer.listener.onAudioFrame(FRAME);
        }
        assertEquals(2, transport.frames.size(), "never more than the socket takes");
        assertEquals(CloseCode.TOO_SLOW, transport.closeCode);
        assertTrue(peer.closed, "its pipeline does not outlive it");
        assertEquals(List.of("s1"), calls.ended);
    }

    @Test
    void anEchoIsSentBackAtOnce() {
        session.onOpen(TOKEN);
        receive("ECHO 1234.5");
        assertEquals(List.of("ECHO 1234.5"), transport.sent);
        receive("ECHO 12; drop");
        assertTrue(last().startsWith("ERROR ECHO needs a number"), last());
        assertGoesOn();
    }

    @Test
    void aBrowserQuietOnTheWebSocketPathForFiveSecondsIsGoneAndItsCallFreed() {
        SignallingSession quiet = timed;
        quiet.onOpen(TOKEN);
        quiet.onMessage(InboundMessage.parse("MEDIA websocket"));
        quiet.onMessage(InboundMessage.parse("HELLO alice"));
        FakePeer peer = calls.opened.get(0);
        clock.advance(4000);
        peer.listener.onBrowserSilent();
        quiet.onMessage(InboundMessage.parse("ECHO 1"));
        clock.advance(4500);
        peer.listener.onBrowserSilent();
        assertNull(transport.closeCode, "an ECHO 4.5 s ago is a sign of life");
        assertEquals(0, transport.pings, "no ping on this path");
        clock.advance(600);
        peer.listener.onBrowserSilent();
        assertEquals(CloseCode.BROWSER_SILENT, transport.closeCode);
        assertEquals(0, transport.pings);
        assertTrue(peer.closed, "its pipeline does not outlive it");
        assertEquals(List.of(Heal.BROWSER_GONE), calls.heals);
    }

}
