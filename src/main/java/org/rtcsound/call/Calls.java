package org.rtcsound.call;

/**
 * The use case the session drives: who a token speaks for, whether calls can be made,
 * and opening one to the caller's desktop. Every refusal is a {@link Refusal}.
 */
public interface Calls {

    /** Whom a token speaks for; a {@link Refusal.TokenRefused} says why it speaks for no one. */
    Caller authenticate(String token);

    /** Why no call can be made now (sound turned off, GStreamer missing), or null; the session goes on. */
    String unavailableReason();

    /**
     * A call to the caller's desktop on {@code path}, not yet started; refused with a
     * {@link Refusal} (no desktop, a limit, an unusable setting).
     */
    MediaPeer open(Caller caller, MediaPath path, MediaPeer.Listener listener);

    /** The path a call takes when its page does not ask for one (the server's {@code rtcsound.transport}). */
    default MediaPath defaultPath() {
        return MediaPath.WEBRTC;
    }

    /**
     * Whether a call is opened as soon as its caller is known, before its HELLO
     * ({@code rtcsound.signalling.prepare-before-hello}); otherwise at its HELLO.
     */
    default boolean preparesBeforeHello() {
        return false;
    }

    /** Why this server does not carry sound over WebSockets ({@code rtcsound.transport=webrtc}), or null. */
    default String webSocketPathUnavailable() {
        return null;
    }

    /** A session refused its caller with this refusal: counted for the operators' figures. */
    default void refused(Refusal refusal) {
    }

    /** A call's media connected, this long after its HELLO (what "time to first audio" is, seen from here). */
    default void connected(String callId, MediaPeer peer, java.time.Duration sinceHello) {
    }

    /** A call healed itself, or was freed, in this way: counted for the operators' figures. */
    default void healed(Heal heal) {
    }

    /** A call ended, whatever the reason (the use case forgets what it kept about it). */
    default void ended(String callId) {
    }

    /** A started call could not go on (its media failed); the session has told the browser. */
    default void failed(String message) {
    }
}
