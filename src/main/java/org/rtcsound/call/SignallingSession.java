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
 * Nothing but a token is heard before the caller is authenticated, and the desktop comes
 * from the token, never from the uid. A {@link Refusal} (token, uid, desktop, limits,
 * settings) answers {@code ERROR <reason>} and closes with its code before any pipeline
 * is built; every other mistake gets an {@code ERROR <reason>} reply and changes nothing
 * else. Once answered, the call heals what the media side reports: a lost connection closes
 * with {@link CloseCode#CONNECTION_LOST} (the page calls again), and a browser silent on RTCP
 * that also leaves a ping unanswered is gone: its call is freed ({@link CloseCode#BROWSER_SILENT}).
 * The session knows neither WebSocket nor GStreamer: it talks to its ports
 * ({@link Transport}, {@link Calls}, {@link MediaPeer}, {@link CallExecutor}), so tests
 * drive it directly.
 */
public final class SignallingSession {

    private static final Logger LOG = Logger.getLogger(SignallingSession.class.getName());

    enum State { NEW, STARTING, OFFERED, ANSWERED, CLOSED }

    /** How long a silent browser has to answer a ping before its call is freed. */
    static final Duration PONG_WAIT = Duration.ofSeconds(2);
    /** Past its wait by this much, an unanswered ping is from an earlier silence: ask again. */
    static final Duration STALE_PING = Duration.ofSeconds(3);

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
    /** When the ping that is still unanswered was sent, or null. */
    private Instant pingSentAt;

    /**
     * What an operator sees of a session: its id, who (null before sign-in), its state, since
     * when, the desktop it listens to and what its media side measures.
     */
    public record View(String id, String caller, String state, Instant openedAt, String desktop, MediaFigures media) {
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
                    openedAt, null, MediaFigures.NONE);
        }
        // Read outside the session's lock: the media side has locks of its own.
        return media == null ? partial : new View(partial.id(), partial.caller(), partial.state(), partial.openedAt(),
                media.desktop(), media.figures());
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
        if (handshakeToken != null) {
            authenticate(handshakeToken);
        }
    }

    public void onMessage(InboundMessage message) {
        boolean signedIn;
        synchronized (this) {
            signedIn = caller != null;
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
    }

    /** Ends the session before any call: the reason as an ERROR, then the refusal's close code. */
    private void refuse(Refusal refusal) {
        synchronized (this) {
            state = State.CLOSED;
        }
        calls.refused(refusal);
        reply(refusal.reason());
        transport.close(refusal.closeCode(), "refused");
    }

    private void hello(String helloUid) {
        MediaPeer created;
        synchronized (this) {
            if (state != State.NEW) {
                reply("HELLO was already received on this connection");
                return;
            }
            if (caller.user() != null && !caller.user().equals(helloUid)) {
                throw new Refusal.WrongUser(helloUid);
            }
            String reason = calls.unavailableReason();
            if (reason != null) {
                reply(reason);
                return;
            }
            // e.g. no desktop yet: the Refusal closes, the page reconnects on its own and finds it once it runs
            peer = calls.open(caller, new PeerEvents());
            state = State.STARTING;
            helloAt = clock.instant();
            created = peer;
        }
        transport.send(new OutboundMessage.Hello());
        work.submit(created::start);
    }

    private void answer(String sdp) {
        MediaPeer target;
        synchronized (this) {
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
            return CompletableFuture.completedFuture(null);
        }
        // The media first: whatever befalls the bookkeeping, the pipeline must not outlive its call.
        CompletableFuture<Void> closed = work.submit(released::close);
        try {
            calls.ended(id);
        } catch (RuntimeException e) {
            LOG.log(java.util.logging.Level.WARNING, "session " + id + ": forgetting the call's figures failed", e);
        }
        return closed;
    }

    /**
     * Closes the session if its call is answered, in one step, so that a heal never races an
     * operator's End or a stopping server: the media side to release, or null when the session
     * was not answered (or someone else closed it first).
     */
    private synchronized MediaPeer closeAnswered() {
        if (state != State.ANSWERED) {
            return null;
        }
        state = State.CLOSED;
        return peer;
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
        synchronized (this) {
            if (state != State.ANSWERED) {
                return;
            }
            if (pingSentAt != null && now.isBefore(pingSentAt.plus(PONG_WAIT))) {
                return; // still waiting for the answer
            }
            askNow = pingSentAt == null || !now.isBefore(pingSentAt.plus(PONG_WAIT).plus(STALE_PING));
            if (askNow) {
                pingSentAt = now;
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
        MediaPeer released = closeAnswered();
        if (released == null) {
            return;
        }
        LOG.info(() -> "session " + id + ": no RTCP and no answer to a ping; the browser is gone, its call is freed");
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

    private final class PeerEvents implements MediaPeer.Listener {
        @Override
        public void onOffer(String sdp) {
            synchronized (SignallingSession.this) {
                if (state != State.STARTING) {
                    return;
                }
                state = State.OFFERED;
            }
            transport.send(new OutboundMessage.Offer(sdp));
        }

        @Override
        public void onLocalCandidate(int sdpMLineIndex, String candidate) {
            transport.send(new OutboundMessage.LocalCandidate(sdpMLineIndex, candidate));
        }

        @Override
        public void onError(String message) {
            mediaFailed(message);
        }

        @Override
        public void onWarning(String message) {
            reply(message);
        }

        @Override
        public void onConnected() {
            MediaPeer connectedPeer;
            Duration sinceHello;
            synchronized (SignallingSession.this) {
                if (connected || state == State.CLOSED || helloAt == null) {
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
            connectionLost(why);
        }

        @Override
        public void onBrowserSilent() {
            browserSilent();
        }
    }
}
