package org.rtcsound.call;

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
 * else. The session knows neither WebSocket nor GStreamer: it talks to its ports
 * ({@link Transport}, {@link Calls}, {@link MediaPeer}, {@link CallExecutor}), so tests
 * drive it directly.
 */
public final class SignallingSession {

    private static final Logger LOG = Logger.getLogger(SignallingSession.class.getName());

    enum State { NEW, STARTING, OFFERED, ANSWERED, CLOSED }

    private final String id;
    private final Transport transport;
    private final Calls calls;
    private final SerialWork work;

    private final Instant openedAt = Instant.now();
    private State state = State.NEW;
    private Caller caller;
    private MediaPeer peer;

    /** What an operator sees of a session: its id, who (null before sign-in), its state, since when. */
    public record View(String id, String caller, String state, Instant openedAt) {
    }

    public SignallingSession(String id, Transport transport, Calls calls, CallExecutor executor) {
        this.id = id;
        this.transport = transport;
        this.calls = calls;
        this.work = executor.serialWork(e -> mediaFailed("internal error: " + e));
    }

    public String id() {
        return id;
    }

    /** For the admin view: the state, and whether the caller has signed in. */
    public synchronized String describeState() {
        return state.name().toLowerCase(Locale.ROOT) + (caller == null ? "" : "-signed-in");
    }

    public synchronized View view() {
        return new View(id, caller == null ? null : caller.name(), state.name().toLowerCase(Locale.ROOT), openedAt);
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
        return released == null ? CompletableFuture.completedFuture(null)
                : work.submit(released::close);
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
    }
}
