package org.rtcsound.call;

/**
 * The service's side of one call. On the {@link MediaPath#WEBRTC} path it offers, takes the
 * browser's answer and candidates, and reports what the browser must hear about (GStreamer's
 * webrtcbin: {@code media.StreamListener}, a listener of its desktop's shared stream). On the
 * {@link MediaPath#WEBSOCKET} path it hands the desktop's Opus frames to its listener and plays
 * the browser's microphone frames into the desktop ({@code media.SocketListener}). The call
 * core knows only this interface.
 */
public interface MediaPeer extends AutoCloseable {

    /** Builds the media path and asks for an offer; events arrive on the listener. */
    void start();

    /** WebRTC path only. */
    void applyAnswer(String sdp);

    /** WebRTC path only. */
    void addRemoteCandidate(int sdpMLineIndex, String candidate);

    /** WebSocket path: a frame of the browser's microphone, to play into the desktop. Never blocks. */
    default void microphoneFrame(AudioFrame frame) {
    }

    /** What the call's media side measures now; {@link MediaFigures#NONE} until it has measured anything. */
    default MediaFigures figures() {
        return MediaFigures.NONE;
    }

    /**
     * When each step of the media side's start was done, in the order done (what sits between
     * HELLO and the offer, for operators and the latency benchmark); empty if not told.
     */
    default java.util.Map<String, java.time.Instant> startup() {
        return java.util.Map.of();
    }

    /** The desktop this call listens to, as an operator may see it (no secret); null if unknown. */
    default String desktop() {
        return null;
    }

    /** Releases everything; idempotent, and no listener call follows it. */
    @Override
    void close();

    /** Events from the media side. Called on GStreamer's threads. */
    interface Listener {
        void onOffer(String sdp);

        void onLocalCandidate(int sdpMLineIndex, String candidate);

        /** A readable message for the browser; the call cannot go on. */
        void onError(String message);

        /** A readable message for the browser about a part that failed; the call goes on. */
        void onWarning(String message);

        /**
         * The desktop's sound is on its way to the browser: ICE and DTLS are up, or the first
         * frame went out on the WebSocket path. Once per call.
         */
        default void onConnected() {
        }

        /**
         * The media path to the browser is lost (ICE failed, or stayed disconnected): the call
         * cannot come back by itself, since webrtcbin cannot restart ICE; it must be built again.
         */
        default void onConnectionLost(String why) {
        }

        /**
         * No RTCP receiver report has come from the browser for a while: either its packets no
         * longer reach us, or the browser is gone. Repeated while the silence lasts. On the
         * WebSocket path, which has no RTCP, every second: the session judges by what the
         * browser said on the socket.
         */
        default void onBrowserSilent() {
        }

        /** WebSocket path: one frame of the desktop's sound for the browser. Called 100 times a second. */
        default void onAudioFrame(AudioFrame frame) {
        }
    }
}
