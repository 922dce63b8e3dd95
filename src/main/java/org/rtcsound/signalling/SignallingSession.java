package org.rtcsound.signalling;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.logging.Logger;

import jakarta.json.Json;

import org.rtcsound.config.InvalidSettingException;
import org.rtcsound.desktop.NoDesktopException;
import org.rtcsound.media.MediaPeer;
import org.rtcsound.media.SerialTasks;
import org.rtcsound.security.Caller;
import org.rtcsound.security.SessionLimits.LimitExceededException;
import org.rtcsound.security.TokenRejectedException;

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
 * from the token, never from the uid. Refusals of who may call (token, uid, limits) answer
 * {@code ERROR <reason>} and close the socket before any pipeline is built; every other
 * mistake gets an {@code ERROR <reason>} reply and changes nothing else. The
 * session knows neither WebSocket nor GStreamer: it talks to a {@link Transport} and to
 * a {@link MediaPeer}, so tests can drive it directly.
 */
public final class SignallingSession {

    private static final Logger LOG = Logger.getLogger(SignallingSession.class.getName());

    /** Close code sent when the media side fails (RFC 6455: 1011, unexpected condition). */
    public static final int CLOSE_MEDIA_FAILED = 1011;
    /** Close code for a caller who may not call: no token, a bad one, another user's uid (1008). */
    public static final int CLOSE_REFUSED = 1008;
    /** Close code for a limit reached (1013, try again later). */
    public static final int CLOSE_LIMIT = 1013;

    /** The socket as the session sees it. Implementations serialise sends. */
    public interface Transport {
        void send(String text);

        void close(int code, String reason);

        /** The caller proved who they are: the connection may now stay quiet for the whole call. */
        default void authenticated() {
        }
    }

    /** Where calls come from: the server's media service, bound to the user's desktop. */
    public interface Calls {
        /** Whom a token speaks for; a {@link TokenRejectedException} says why it speaks for no one. */
        Caller authenticate(String token);

        /** Why no call can be made now (sound disabled, GStreamer missing), or null. */
        String unavailableReason();

        /**
         * A call to the caller's desktop; refused with {@link NoDesktopException},
         * {@link InvalidSettingException} or {@link LimitExceededException}.
         */
        MediaPeer open(Caller caller, String uid, MediaPeer.Listener listener);

        SerialTasks serialTasks(Consumer<Throwable> onFailure);
    }

    enum State { NEW, STARTING, OFFERED, ANSWERED, CLOSED }

    private final String id;
    private final Transport transport;
    private final Calls calls;
    private final SerialTasks tasks;

    private State state = State.NEW;
    private Caller caller;
    private MediaPeer peer;

    public SignallingSession(String id, Transport transport, Calls calls) {
        this.id = id;
        this.transport = transport;
        this.calls = calls;
        this.tasks = calls.serialTasks(e -> mediaFailed("internal error: " + e));
    }

    public String id() {
        return id;
    }

    /** For the admin view: the state, and whether the caller has signed in. */
    synchronized String describeState() {
        return state.name().toLowerCase(java.util.Locale.ROOT) + (caller == null ? "" : "-signed-in");
    }

    /** The connection is open; {@code handshakeToken} came with it (subprotocol or query), or is null. */
    public void onOpen(String handshakeToken) {
        if (handshakeToken != null) {
            authenticate(handshakeToken);
        }
    }

    public void onText(String frame) {
        InboundMessage message = InboundMessage.parse(frame);
        boolean signedIn;
        synchronized (this) {
            signedIn = caller != null;
        }
        if (message instanceof InboundMessage.Token token) {
            if (signedIn) {
                reply("ERROR this connection is already authenticated");
            } else {
                authenticate(token.token());
            }
        } else if (!signedIn) {
            refuse(CLOSE_REFUSED, "authentication required: send the token first (Sec-WebSocket-Protocol "
                    + "'bearer.<token>', ?jwt_token=<token>, or TOKEN <token>)");
        } else if (message instanceof InboundMessage.Hello hello) {
            hello(hello.uid());
        } else if (message instanceof InboundMessage.Answer answer) {
            answer(answer.sdp());
        } else if (message instanceof InboundMessage.RemoteCandidate candidate) {
            candidate(candidate);
        } else if (message instanceof InboundMessage.Invalid invalid) {
            transport.send("ERROR " + invalid.reason());
        }
    }

    private void authenticate(String token) {
        Caller verified;
        try {
            verified = calls.authenticate(token);
        } catch (TokenRejectedException e) {
            refuse(CLOSE_REFUSED, "token refused: " + e.getMessage());
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

    /** Ends the session before any call: the reason as an ERROR, then the close code. */
    private void refuse(int closeCode, String reason) {
        synchronized (this) {
            state = State.CLOSED;
        }
        reply("ERROR " + reason);
        transport.close(closeCode, "refused");
    }

    private void hello(String helloUid) {
        MediaPeer created;
        synchronized (this) {
            if (state != State.NEW) {
                reply("ERROR HELLO was already received on this connection");
                return;
            }
            if (caller.user() != null && !caller.user().equals(helloUid)) {
                refuse(CLOSE_REFUSED, "HELLO " + helloUid + " does not match the token's user");
                return;
            }
            String reason = calls.unavailableReason();
            if (reason != null) {
                reply("ERROR " + reason);
                return;
            }
            try {
                peer = calls.open(caller, helloUid, new PeerEvents());
            } catch (NoDesktopException | InvalidSettingException refused) {
                // e.g. no desktop yet: the page reconnects on its own and finds it once it runs
                refuse(CLOSE_MEDIA_FAILED, refused.getMessage());
                return;
            } catch (LimitExceededException limit) {
                refuse(CLOSE_LIMIT, limit.getMessage());
                return;
            }
            state = State.STARTING;
            created = peer;
        }
        transport.send("HELLO");
        tasks.submit(created::start);
    }

    private void answer(String sdp) {
        MediaPeer target;
        synchronized (this) {
            if (state != State.OFFERED) {
                reply("ERROR " + switch (state) {
                    case NEW -> "say HELLO <uid> first";
                    case STARTING -> "no offer was sent yet";
                    default -> "an answer was already applied";
                });
                return;
            }
            state = State.ANSWERED;
            target = peer;
        }
        tasks.submit(() -> target.applyAnswer(sdp));
    }

    private void candidate(InboundMessage.RemoteCandidate candidate) {
        MediaPeer target;
        synchronized (this) {
            if (state != State.ANSWERED) {
                reply("ERROR a candidate can only follow the answer");
                return;
            }
            target = peer;
        }
        if (!candidate.endOfCandidates()) {
            tasks.submit(() -> target.addRemoteCandidate(candidate.sdpMLineIndex(), candidate.candidate()));
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
                : tasks.submit(released::close);
    }

    private void mediaFailed(String message) {
        synchronized (this) {
            if (state == State.CLOSED) {
                return;
            }
        }
        LOG.warning(() -> "session " + id + ": " + message);
        transport.send("ERROR " + message);
        transport.close(CLOSE_MEDIA_FAILED, "sound failed");
    }

    private void reply(String text) {
        transport.send(text);
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
            transport.send(Json.createObjectBuilder()
                    .add("sdp", Json.createObjectBuilder().add("type", "offer").add("sdp", sdp))
                    .build().toString());
        }

        @Override
        public void onLocalCandidate(int sdpMLineIndex, String candidate) {
            transport.send(Json.createObjectBuilder()
                    .add("ice", Json.createObjectBuilder()
                            .add("candidate", candidate)
                            .add("sdpMLineIndex", sdpMLineIndex))
                    .build().toString());
        }

        @Override
        public void onError(String message) {
            mediaFailed(message);
        }

        @Override
        public void onWarning(String message) {
            transport.send("ERROR " + message);
        }
    }
}
