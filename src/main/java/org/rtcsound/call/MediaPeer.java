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
    }
}
