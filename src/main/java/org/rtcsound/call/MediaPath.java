package org.rtcsound.call;

/** How a call's sound travels between rtcsound and the browser. */
public enum MediaPath {
    /** webrtcbin: Opus in SRTP over ICE (UDP, TCP, or a TURN relay). The lowest latency, and the default. */
    WEBRTC,
    /**
     * Opus frames over the signalling WebSocket itself ({@link AudioFrame}), for networks where
     * nothing but https passes: the page decodes them with WebCodecs.
     */
    WEBSOCKET
}
