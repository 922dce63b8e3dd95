package org.rtcsound.media;

/**
 * What a desktop's stream tells the listener whose bin hangs off its tee: an error from
 * inside that bin, or the failure of the stream itself. Either listener, WebRTC's
 * ({@link StreamListener}) or the WebSocket path's ({@link SocketListener}), is one.
 */
interface StreamBranch {

    /** An element of this listener's bin failed; {@code element} is its name. */
    void branchError(String element, String message);

    /** The desktop's stream failed: this call cannot go on. */
    void streamFailed(String message);
}
