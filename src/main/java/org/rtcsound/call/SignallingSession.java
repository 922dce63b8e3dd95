package org.rtcsound.call;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Logger;

/**
 * One browser's signalling conversation, with rtcsound as the other peer:
 *
 * <pre>
 *   browser: (token in the handshake, or TOKEN jwt)
 *   browser: HELLO uid       rtcsound: HELLO, then {"sdp":{"type":"offer",...}}
 *   browser: {"sdp":answer}  both: {"ice":{...}} until done
 * </pre>
 *
 * On the WebSocket path ({@code MEDIA websocket} before HELLO, or after it when the page's
 * ICE did not connect, or every call when the server says so) the answer to HELLO is
 * {@code MEDIA websocket}, and binary {@link AudioFrame}s follow both ways on this very
 * socket: no SDP, no ICE.
 *
 * Nothing but a token is heard before the caller is authenticated, and the desktop comes
 * from the token, never from the uid. Once the caller is known (a token in the handshake),
 * the WebRTC call is prepared at once ({@link Calls#preparesBeforeHello()}), before its
 * HELLO: the desktop's stream, the call's branch and its offer are made while the HELLO is
 * still on its way, and what the media side says before the HELLO is held and sent, in
 * order, right after the answer to it. A {@link Refusal} (token, uid, desktop, limits,
 * settings) answers {@code ERROR <reason>} and closes with its code (a prepared call is
 * released with it; a preparation that was refused is tried again at HELLO, which gives the
 * refusal); every other mistake gets an {@code ERROR <reason>} reply and changes nothing
 * else. Once answered, the call heals what the media side reports: a lost connection closes
 * with {@link CloseCode#CONNECTION_LOST} (the page calls again), and a browser silent on RTCP
 * that also leaves a ping unanswered is gone: its call is freed ({@link CloseCode#BROWSER_SILENT}).
 * The session knows neither WebSocket nor GStreamer: it talks to its ports
 * ({@link Transport}, {@link Calls}, {@link MediaPeer}, {@link CallExecutor}), so tests
 * drive it directly.
 */
public final class SignallingSession {

    private static final Logger LOG = Logger.getLogger(SignallingSession.class.getName());

    enum State { NEW, STARTING, OFFERED, ANSWERED, STREAMING, CLOSED }

    /** How long a silent browser has to answer a ping before its call is freed. */
    static final Duration PONG_WAIT = Duration.ofSeconds(2);
    /** Past its wait by this much, an unanswered ping is from an earlier silence: ask again. */
    static final Duration STALE_PING = Duration.ofSeconds(3);
    /**
     * On the WebSocket path (no RTCP) a browser heard from in none of its messages for this
     * long is gone: its page sends an ECHO every 2 s, timed by its audio thread, which browsers
     * do not throttle in a background tab. (No ping there: it would wait behind frames in
     * flight, and a ping stuck on a dead connection holds the thread that sent it.)
     */
    static final Duration SOCKET_SILENCE = Duration.ofSeconds(5);

    private final String id;
    private final Transport transport;
    private final Calls calls;
    private final SerialWork work;
    private final Clock clock;

    private final Instant openedAt;
    private State state = State.NEW;
    private Caller caller;
    private MediaPeer peer;
    private Instant helloAt;
    private boolean connected;
    private boolean pageHealReported;
    /** The page asked, before its HELLO, for the WebSocket path. */
    private boolean webSocketAsked;
    /** The handshake said {@code MEDIA websocket} is coming: nothing is prepared before it. */
    private boolean webSocketMediaAhead;
    /** The call is being opened before its HELLO (on the serial work); the HELLO is answered once it is. */
    private boolean preparing;
    /** The prepared call's offer, made before the HELLO was answered; sent right after that answer. */
    private String heldOffer;
    /** What the prepared call's media side said (candidates, warnings) before the HELLO was answered. */
    private final java.util.List<OutboundMessage> held = new java.util.ArrayList<>();
    /** Counts the media peers this session opened: events of a peer it left (moving to the WebSocket path) are dropped. */
    private int peerGeneration;
    /** When the ping that is still unanswered was sent, or null. */
    private Instant pingSentAt;
    /** A frame did not fit in the transport's queue: the call is being dropped (set on a GStreamer thread). */
    private volatile boolean tooSlowTold;
    /** When the browser last said anything (a message, a frame, a pong). */
    private Instant heardAt;

    /**
     * What an operator sees of a session: its id, who (null before sign-in), its state, since
     * when, the desktop it listens to and what its media side measures.
     */
    /**
     * @param helloAt  when the call's HELLO came, or null before
     * @param startup  when each step of the media side's start was done ({@link MediaPeer#startup()})
     */
    public record View(String id, String caller, String state, Instant openedAt, Instant helloAt, String desktop,
            MediaFigures media, java.util.Map<String, Instant> startup) {
    }

    public SignallingSession(String id, Transport transport, Calls calls, CallExecutor executor) {
        this(id, transport, calls, executor, Clock.systemUTC());
    }

    /** @param clock times HELLO to connected, and how long a ping waits (tests pass their own) */
    public SignallingSession(String id, Transport transport, Calls calls, CallExecutor executor, Clock clock) {
        this.id = id;
        this.transport = transport;
        this.calls = calls;
        this.clock = clock;
        this.openedAt = clock.instant();
        this.heardAt = openedAt;
        this.work = executor.serialWork(e -> mediaFailed("internal error: " + e));
    }

    public String id() {
        return id;
    }

    /** For the admin view: the state, and whether the caller has signed in. */
    public synchronized String describeState() {
        return state.name().toLowerCase(Locale.ROOT) + (caller == null ? "" : "-signed-in");
    }

    public View view() {
        MediaPeer media;
        View partial;
        synchronized (this) {
            media = state == State.CLOSED ? null : peer;
            partial = new View(id, caller == null ? null : caller.name(), state.name().toLowerCase(Locale.ROOT),
                    openedAt, helloAt, null, MediaFigures.NONE, java.util.Map.of());
        }
        // Read outside the session's lock: the media side has locks of its own.
        return media == null ? partial : new View(partial.id(), partial.caller(), partial.state(), partial.openedAt(),
                partial.helloAt(), media.desktop(), media.figures(), media.startup());
    }

    /**
     * An operator ends the call: its media is released at once (whether or not the browser
     * still answers), and the browser is told why with {@link CloseCode#ENDED_BY_OPERATOR}.
     */
    public CompletableFuture<Void> endByOperator() {
        CompletableFuture<Void> released = onClose();
        reply("this call was ended by an operator");
        transport.close(CloseCode.ENDED_BY_OPERATOR, "ended by an operator");
        return released;
    }

    /**
     * This server is stopping: the call's media is released now, and the browser is told to
     * call again at once ({@link CloseCode#SERVICE_RESTART}), to whichever replica answers.
     */
    public CompletableFuture<Void> serverStopping() {
        CompletableFuture<Void> released = onClose();
        transport.close(CloseCode.SERVICE_RESTART, "server restarting");
        return released;
    }

    /** The connection is open; {@code handshakeToken} came with it (subprotocol or query), or is null. */
    public void onOpen(String handshakeToken) {
        onOpen(handshakeToken, false);
    }

    /**
     * As {@link #onOpen(String)}; {@code webSocketMediaAhead}: the handshake said that a
     * {@code MEDIA websocket} follows, so no WebRTC call is prepared only to be dropped.
     */
    public void onOpen(String handshakeToken, boolean webSocketMediaAhead) {
        synchronized (this) {
            this.webSocketMediaAhead = webSocketMediaAhead;
        }
        if (handshakeToken != null) {
            authenticate(handshakeToken);
        }
    }

    public void onMessage(InboundMessage message) {
        boolean signedIn;
        synchronized (this) {
            signedIn = caller != null;
            heardAt = clock.instant();
        }
        try {
            if (message instanceof InboundMessage.Token token) {
                if (signedIn) {
                    reply("this connection is already authenticated");
                } else {
                    authenticate(token.token());
                }
            } else if (!signedIn) {
                throw new Refusal.AuthenticationRequired();
            } else if (message instanceof InboundMessage.Hello hello) {
                hello(hello.uid());
            } else if (message instanceof InboundMessage.Answer answer) {
                answer(answer.sdp());
            } else if (message instanceof InboundMessage.RemoteCandidate candidate) {
                candidate(candidate);
            } else if (message instanceof InboundMessage.Healed healed) {
                pageHealed(healed.heal());
            } else if (message instanceof InboundMessage.UseWebSocket) {
                useWebSocket();
            } else if (message instanceof InboundMessage.Echo echo) {
                transport.send(new OutboundMessage.Echo(echo.payload()));
            } else if (message instanceof InboundMessage.Invalid invalid) {
                reply(invalid.reason());
            }
        } catch (Refusal refusal) {
            refuse(refusal);
        }
    }

    private void authenticate(String token) {
        Caller verified;
        try {
            verified = calls.authenticate(token);
        } catch (Refusal refusal) {
            refuse(refusal);
            return;
        }
        synchronized (this) {
            if (state == State.CLOSED) {
                return;
            }
            caller = verified;
        }
        transport.authenticated();
        prepareCall();
    }

    /**
     * The caller is known before its HELLO: the call is opened and started now, on the serial
     * work, so that its offer is ready (or nearly) when the HELLO comes; the HELLO then only
     * has to be answered. Not for calls the server carries on the WebSocket path, nor while
     * calls cannot be made.
     */
    private void prepareCall() {
        synchronized (this) {
            if (state != State.NEW || webSocketAsked || webSocketMediaAhead || helloAt != null || !calls.preparesBeforeHello()
                    || calls.defaultPath() != MediaPath.WEBRTC || calls.unavailableReason() != null) {
                return;
            }
            preparing = true;
        }
        work.submit(this::prepare);
    }

    /** On the serial work: opens the prepared call; if its HELLO came meanwhile, answers it. */
    private void prepare() {
        int generation;
        synchronized (this) {
            generation = peerGeneration;
        }
        MediaPeer created = null;
        try {
            created = calls.open(caller, MediaPath.WEBRTC, new PeerEvents(generation));
        } catch (RuntimeException e) {
            // no desktop yet, a limit, a setting: the HELLO opens the call again, and says why
            LOG.fine(() -> "session " + id + ": the call could not be prepared before its HELLO: " + e.getMessage());
        }
        boolean kept;
        boolean openAtHelloNow;
        synchronized (this) {
            preparing = false;
            kept = created != null && state == State.NEW && !webSocketAsked && generation == peerGeneration;
            if (kept) {
                peer = created;
                if (helloAt != null) {
                    answerHello();
                }
            }
            openAtHelloNow = !kept && state == State.NEW && helloAt != null;
        }
        if (created != null && !kept) {
            created.close(); // closed, or moved to the WebSocket path meanwhile: nothing may outlive that
        }
        if (kept) {
            created.start();
        }
        if (openAtHelloNow) {
            try {
                openAtHello();
            } catch (Refusal refusal) {
                refuse(refusal);
            }
        }
    }

    /** Ends the session before any call: the reason as an ERROR, then the refusal's close code. */
    private void refuse(Refusal refusal) {
        MediaPeer prepared;
        synchronized (this) {
            prepared = state == State.CLOSED ? null : peer;
            state = State.CLOSED;
        }
        if (prepared != null) {
            release(prepared); // the call prepared before a HELLO that was refused
        }
        calls.refused(refusal);
        reply(refusal.reason());
        transport.close(refusal.closeCode(), "refused");
    }

    private void hello(String helloUid) {
        Instant received = clock.instant(); // before the call is opened: that is part of what HELLO costs
        synchronized (this) {
            if (state != State.NEW || helloAt != null) {
                reply("HELLO was already received on this connection");
                return;
            }
            if (caller.user() != null && !caller.user().equals(helloUid)) {
                throw new Refusal.WrongUser(helloUid);
            }
            String reason = calls.unavailableReason();
            if (reason != null) {
                dropPreparedCall(); // sound was turned off since the socket opened
                reply(reason);
                return;
            }
            helloAt = received;
            if (preparing) {
                return; // answered by the preparation, once its call is open
            }
            if (peer != null) {
                answerHello(); // prepared: its offer may already be here
                return;
            }
        }
        openAtHello();
    }

    /**
     * Answers the HELLO of a prepared call, then sends what its media side said before
     * (its offer first): under the session's lock, so that nothing the media side says next
     * overtakes them (the transport's sends never block).
     */
    private void answerHello() {
        assert Thread.holdsLock(this);
        transport.send(new OutboundMessage.Hello());
        if (heldOffer != null) {
            state = State.OFFERED;
            transport.send(new OutboundMessage.Offer(heldOffer));
            heldOffer = null;
        } else {
            state = State.STARTING;
        }
        held.forEach(transport::send);
        held.clear();
    }

    /**
     * Before the HELLO: the call prepared (or being prepared) for this socket goes, and what
     * its media side said is forgotten; the session stays open for a HELLO of its own.
     */
    private void dropPreparedCall() {
        assert Thread.holdsLock(this);
        MediaPeer prepared = peer;
        peer = null;
        peerGeneration++; // a preparation still running closes what it makes
        heldOffer = null;
        held.clear();
        if (prepared != null) {
            work.submit(prepared::close);
        }
    }

    /** A HELLO with no prepared call: the call is opened now (as the page asked: WebRTC or WebSocket). */
    private void openAtHello() {
        MediaPeer created;
        MediaPath path;
        synchronized (this) {
            if (state != State.NEW) {
                return; // closed meanwhile
            }
            // e.g. no desktop yet: the Refusal closes, the page reconnects on its own and finds it once it runs
            path = webSocketAsked ? MediaPath.WEBSOCKET : calls.defaultPath();
            peer = calls.open(caller, path, new PeerEvents(peerGeneration));
            state = path == MediaPath.WEBSOCKET ? State.STREAMING : State.STARTING;
            created = peer;
        }
        transport.send(new OutboundMessage.Hello());
        if (path == MediaPath.WEBSOCKET) {
            transport.send(new OutboundMessage.WebSocketPath());
        }
        work.submit(created::start);
    }

    /**
     * {@code MEDIA websocket}: before HELLO the call will start on the WebSocket path; after
     * it, the WebRTC attempt is given up and the call moves there, on the same desktop
     * stream (its place in the limits is taken again: the old peer is closed first).
     */
    private void useWebSocket() {
        String unavailable = calls.webSocketPathUnavailable();
        if (unavailable != null) {
            reply(unavailable);
            return;
        }
        MediaPeer left;
        boolean wasConnected;
        int generation;
        synchronized (this) {
            switch (state) {
                case NEW -> {
                    webSocketAsked = true;
                    dropPreparedCall(); // the WebRTC call prepared for it is not wanted
                    return;
                }
                case STREAMING -> {
                    reply("this call is already on the WebSocket path");
                    return;
                }
                case CLOSED -> {
                    return;
                }
                default -> {
                    left = peer;
                    peer = null;
                    state = State.STREAMING;
                    wasConnected = connected;
                    connected = false;
                    generation = ++peerGeneration;
                }
            }
        }
        LOG.info(() -> "session " + id + ": the call moves to the WebSocket path");
        calls.healed(Heal.WEBSOCKET_FALLBACK);
        if (wasConnected) {
            calls.ended(id); // the WebRTC call's figures; the WebSocket one reports its own
        }
        work.submit(() -> {
            left.close();
            openOnWebSocket(generation);
        });
    }

    /** The second half of moving to the WebSocket path, once the WebRTC peer is closed: on the session's serial work. */
    private void openOnWebSocket(int generation) {
        MediaPeer created;
        try {
            created = calls.open(caller, MediaPath.WEBSOCKET, new PeerEvents(generation));
        } catch (Refusal refusal) {
            refuse(refusal);
            return;
        }
        boolean closedMeanwhile;
        synchronized (this) {
            closedMeanwhile = state == State.CLOSED;
            if (!closedMeanwhile) {
                peer = created;
            }
        }
        if (closedMeanwhile) {
            created.close(); // nothing may outlive the session
            return;
        }
        transport.send(new OutboundMessage.WebSocketPath());
        created.start();
    }

    /** Whether the call is on the WebSocket path now (binary frames are part of its protocol). */
    public synchronized boolean onWebSocketPath() {
        return state == State.STREAMING;
    }

    /**
     * A binary frame from the browser: its microphone, on the WebSocket path. False when this
     * call is not on that path (binary frames are then a protocol error).
     */
    public boolean onAudioFrame(AudioFrame frame) {
        MediaPeer target;
        synchronized (this) {
            if (state != State.STREAMING) {
                return false;
            }
            heardAt = clock.instant();
            target = peer; // null while the call moves: the frame is dropped
        }
        if (target != null) {
            target.microphoneFrame(frame);
        }
        return true;
    }

    private void answer(String sdp) {
        MediaPeer target;
        synchronized (this) {
            if (state == State.STREAMING) {
                return; // from the WebRTC attempt the page gave up: no longer an error
            }
            if (state != State.OFFERED) {
                reply(switch (state) {
                    case NEW -> "say HELLO <uid> first";
                    case STARTING -> "no offer was sent yet";
                    default -> "an answer was already applied";
                });
                return;
            }
            state = State.ANSWERED;
            target = peer;
        }
        work.submit(() -> target.applyAnswer(sdp));
    }

    private void candidate(InboundMessage.RemoteCandidate candidate) {
        MediaPeer target;
        synchronized (this) {
            if (state == State.STREAMING) {
                return; // late, from the WebRTC attempt the page gave up
            }
            if (state != State.ANSWERED) {
                reply("a candidate can only follow the answer");
                return;
            }
            target = peer;
        }
        if (!candidate.endOfCandidates()) {
            work.submit(() -> target.addRemoteCandidate(candidate.sdpMLineIndex(), candidate.candidate()));
        }
    }

    /** The page called again on its own: counted once per call, and only once the call is under way. */
    private void pageHealed(Heal heal) {
        synchronized (this) {
            if (state == State.NEW || state == State.CLOSED) {
                reply("HEALED can only follow HELLO");
                return;
            }
            if (pageHealReported) {
                reply("HEALED was already received on this connection");
                return;
            }
            pageHealReported = true;
        }
        calls.healed(heal);
    }

    /** The browser answered a ping: it is there. */
    public void onPong() {
        synchronized (this) {
            pingSentAt = null;
            heardAt = clock.instant();
        }
    }

    /** The socket is gone: the call ends with it. Returns when the media side is released. */
    public CompletableFuture<Void> onClose() {
        MediaPeer released;
        synchronized (this) {
            if (state == State.CLOSED) {
                return CompletableFuture.completedFuture(null);
            }
            state = State.CLOSED;
            released = peer;
        }
        return release(released);
    }

    /** Releases the media side of a session just closed (by whoever closed it). */
    private CompletableFuture<Void> release(MediaPeer released) {
        if (released == null) {
            // none, or one being replaced on the serial work (moving to the WebSocket path): done after that
            return work.submit(() -> { });
        }
        // The media first: whatever befalls the bookkeeping, the pipeline must not outlive its call.
        CompletableFuture<Void> closed = work.submit(released::close);
        forgetFigures();
        return closed;
    }

    /** The use case forgets the call; a failure there is logged and keeps nothing. */
    private void forgetFigures() {
        try {
            calls.ended(id);
        } catch (RuntimeException e) {
            LOG.log(java.util.logging.Level.WARNING, "session " + id + ": forgetting the call's figures failed", e);
        }
    }

    /**
     * Closes the session if its call is answered, in one step, so that a heal never races an
     * operator's End or a stopping server: the media side to release, or null when the session
     * was not answered (or someone else closed it first).
     */
    private synchronized MediaPeer closeAnswered() {
        return closeIn(State.ANSWERED);
    }

    private synchronized MediaPeer closeIn(State expected) {
        if (state != expected) {
            return null;
        }
        state = State.CLOSED;
        return peer;
    }

    /**
     * The browser does not read the WebSocket path's frames as fast as they come: it is
     * dropped (never buffered without bound), and calls again after its back-off.
     */
    private void tooSlow() {
        MediaPeer released = closeIn(State.STREAMING);
        if (released == null) {
            return;
        }
        LOG.info(() -> "session " + id + ": the browser reads the WebSocket path too slowly; its call is dropped");
        // On the session's serial work already: the media goes now, not queued behind the close,
        // which may wait seconds for a connection that takes nothing more.
        try {
            released.close();
        } finally {
            forgetFigures();
        }
        transport.close(CloseCode.TOO_SLOW, "reading too slowly");
    }

    /**
     * The media path is lost: this call cannot come back, so the page is told to call again
     * at once (a new webrtcbin on the same desktop stream, with fresh TURN credentials).
     */
    private void connectionLost(String why) {
        MediaPeer released = closeAnswered();
        if (released == null) {
            return;
        }
        LOG.info(() -> "session " + id + ": " + why + "; the page is told to call again");
        calls.healed(Heal.CONNECTION_LOST);
        release(released);
        transport.close(CloseCode.CONNECTION_LOST, "connection lost: call again");
    }

    /**
     * No RTCP from the browser: a ping asks whether it is still there. Still no answer
     * {@link #PONG_WAIT} later (the media side repeats its report every second while the
     * silence lasts), and the browser is gone: its call is freed. A ping that went unanswered
     * while reports stopped coming (RTCP came back) is stale: the next silence asks again.
     */
    private void browserSilent() {
        Instant now = clock.instant();
        boolean askNow;
        State silentIn;
        synchronized (this) {
            silentIn = state;
            if (state == State.STREAMING) {
                if (now.isBefore(heardAt.plus(SOCKET_SILENCE))) {
                    return; // the page spoke recently (the media side asks every second)
                }
                askNow = false; // gone: no ping on this path
            } else if (state != State.ANSWERED) {
                return;
            } else if (pingSentAt != null && now.isBefore(pingSentAt.plus(PONG_WAIT))) {
                return; // still waiting for the answer
            } else {
                askNow = pingSentAt == null || !now.isBefore(pingSentAt.plus(PONG_WAIT).plus(STALE_PING));
                if (askNow) {
                    pingSentAt = now;
                }
            }
        }
        if (askNow) {
            if (!transport.ping()) {
                synchronized (this) {
                    pingSentAt = null; // not sent: nothing to wait for
                }
            }
            return;
        }
        MediaPeer released = closeIn(silentIn);
        if (released == null) {
            return;
        }
        LOG.info(() -> "session " + id + ": no sign of the browser (no RTCP and no answer to a ping, or nothing on the"
                + " WebSocket path for " + SOCKET_SILENCE.toSeconds() + " s); the browser is gone, its call is freed");
        calls.healed(Heal.BROWSER_GONE);
        release(released);
        transport.close(CloseCode.BROWSER_SILENT, "no sign of the browser");
    }


    private void mediaFailed(String message) {
        synchronized (this) {
            if (state == State.CLOSED) {
                return;
            }
        }
        LOG.warning(() -> "session " + id + ": " + message);
        calls.failed(message);
        reply(message);
        transport.close(CloseCode.MEDIA_FAILED, "sound failed");
    }

    private void reply(String reason) {
        transport.send(new OutboundMessage.Error(reason));
    }

    /** Events of one media peer; once the session has left that peer (for the WebSocket path), they are dropped. */
    private final class PeerEvents implements MediaPeer.Listener {
        private final int generation;

        PeerEvents(int generation) {
            this.generation = generation;
        }

        private boolean current() {
            synchronized (SignallingSession.this) {
                return generation == peerGeneration;
            }
        }

        /** Frames go out only from the current peer while the call streams: none after a close (behind its ERROR, say). */
        private boolean currentAndStreaming() {
            synchronized (SignallingSession.this) {
                return generation == peerGeneration && state == State.STREAMING;
            }
        }

        @Override
        public void onOffer(String sdp) {
            synchronized (SignallingSession.this) {
                if (generation != peerGeneration) {
                    return;
                }
                if (state == State.NEW) {
                    heldOffer = sdp; // prepared: sent once the HELLO is answered
                    return;
                }
                if (state != State.STARTING) {
                    return;
                }
                state = State.OFFERED;
                transport.send(new OutboundMessage.Offer(sdp)); // under the lock: nothing held overtakes it
            }
        }

        @Override
        public void onLocalCandidate(int sdpMLineIndex, String candidate) {
            sendOrHold(new OutboundMessage.LocalCandidate(sdpMLineIndex, candidate));
        }

        /** Sends what the current peer says, or holds it while its prepared call's HELLO is not answered. */
        private void sendOrHold(OutboundMessage message) {
            synchronized (SignallingSession.this) {
                if (generation != peerGeneration) {
                    return;
                }
                if (state == State.NEW) {
                    held.add(message);
                    return;
                }
                transport.send(message);
            }
        }

        @Override
        public void onError(String message) {
            if (current()) {
                mediaFailed(message);
            }
        }

        @Override
        public void onWarning(String message) {
            sendOrHold(new OutboundMessage.Error(message));
        }

        @Override
        public void onConnected() {
            MediaPeer connectedPeer;
            Duration sinceHello;
            synchronized (SignallingSession.this) {
                if (connected || state == State.CLOSED || helloAt == null || generation != peerGeneration) {
                    return;
                }
                connected = true;
                connectedPeer = peer;
                sinceHello = Duration.between(helloAt, clock.instant());
            }
            calls.connected(id, connectedPeer, sinceHello);
            synchronized (SignallingSession.this) {
                if (state != State.CLOSED) {
                    return;
                }
            }
            calls.ended(id); // closed meanwhile: its figures must not outlive it
        }

        @Override
        public void onConnectionLost(String why) {
            if (current()) {
                connectionLost(why);
            }
        }

        @Override
        public void onBrowserSilent() {
            if (current()) {
                browserSilent();
            }
        }

        @Override
        public void onAudioFrame(AudioFrame frame) {
            if (currentAndStreaming() && !transport.sendFrame(frame) && !tooSlowTold) {
                // told once, and not on this GStreamer thread: closing the call stops it
                tooSlowTold = true;
                work.submit(SignallingSession.this::tooSlow);
            }
        }
    }
}
