package org.rtcsound.media;

/** webrtcbin's {@code ice-connection-state} (GstWebRTCICEConnectionState) by the names WebRTC gives them. */
final class IceStates {

    private static final String[] NAMES = {"new", "checking", "connected", "completed", "failed", "disconnected",
        "closed"};

    private IceStates() {
    }

    /** The name of a property value as gst1-java-core returns it (the enum's number). */
    static String name(Object value) {
        int state = value instanceof Number number ? number.intValue() : Integer.parseInt(String.valueOf(value));
        return state >= 0 && state < NAMES.length ? NAMES[state] : "unknown";
    }
}
