package org.rtcsound.call;

/**
 * What the media side of one call measures now, for operators: the path its packets take,
 * the browser's view of them from its RTCP receiver reports, and what was sent. Figures the
 * call has not measured yet (before ICE connects, before the first receiver report) are null.
 *
 * @param path "direct" or "relay" (a TURN server is in the selected candidate pair), "websocket" on the WebSocket
 *        path (no RTCP there: the browser's figures stay null, frames count as packets), null before ICE chose one
 * @param iceState the ICE connection state, as WebRTC names it ("checking", "connected", "failed" ...)
 * @param roundTripSeconds from the last receiver report
 * @param fractionLost of the packets sent since the report before, 0 to 1
 * @param packetsLost in all, as the browser counts them
 * @param jitterSeconds the browser's interarrival jitter
 * @param bytesSent RTP payload and headers sent to this browser
 * @param packetsSent RTP packets sent to this browser
 * @param bitsPerSecond sent over the last second or so
 * @param microphone whether the browser's microphone is being played into the desktop now
 * @param iceCheckPacingMs ms between two ICE connectivity checks, as the call's ICE agent took it (read back
 *        from libnice, not the setting); null with no ICE agent (the WebSocket path) or before it gathers
 */
public record MediaFigures(String path, String iceState, Double roundTripSeconds, Double fractionLost,
        Long packetsLost, Double jitterSeconds, long bytesSent, long packetsSent, Double bitsPerSecond,
        boolean microphone, Integer iceCheckPacingMs) {

    /** A call whose media side has measured nothing (not started, or no media side at all). */
    public static final MediaFigures NONE = new MediaFigures(null, "new", null, null, null, null, 0, 0, null, false, null);

    /** These figures, in another ICE state. */
    public MediaFigures withIceState(String state) {
        return new MediaFigures(path, state, roundTripSeconds, fractionLost, packetsLost, jitterSeconds, bytesSent,
                packetsSent, bitsPerSecond, microphone, iceCheckPacingMs);
    }

    /** These figures, with the check pacing the ICE agent took. */
    public MediaFigures withIceCheckPacingMs(Integer pacingMs) {
        return new MediaFigures(path, iceState, roundTripSeconds, fractionLost, packetsLost, jitterSeconds, bytesSent,
                packetsSent, bitsPerSecond, microphone, pacingMs);
    }
}
