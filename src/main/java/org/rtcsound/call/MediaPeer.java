package org.rtcsound.call;

/**
 * The service's side of one WebRTC call: it offers, takes the browser's answer and
 * candidates, and reports what the browser must hear about. Implemented with GStreamer's
 * webrtcbin ({@code media.StreamListener}, a listener of its desktop's shared stream); the call core knows only this interface.
 */
public interface MediaPeer extends AutoCloseable {

    /** Builds the media path and asks for an offer; events arrive on the listener. */
    void start();

    void applyAnswer(String sdp);

    void addRemoteCandidate(int sdpMLineIndex, String candidate);

    /** What the call's media side measures now; {@link MediaFigures#NONE} until it has measured anything. */
    default MediaFigures figures() {
        return MediaFigures.NONE;
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

        /** ICE and DTLS are up: the desktop's sound is on its way to the browser. Once per call. */
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
         * longer reach us, or the browser is gone. Repeated while the silence lasts.
         */
        default void onBrowserSilent() {
        }
    }
}
