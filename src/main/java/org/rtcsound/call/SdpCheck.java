package org.rtcsound.call;

/**
 * A structural check of the browser's answer before it reaches GStreamer, whose SDP
 * parser accepts nearly anything: the result is a clear error instead of a call that
 * silently never connects.
 */
final class SdpCheck {

    private SdpCheck() {
    }

    /** Why this answer cannot be used, or null when it looks like an audio answer. */
    static String problemWithAnswer(String sdp) {
        if (!sdp.startsWith("v=0")) {
            return "it must start with v=0";
        }
        boolean audio = false;
        boolean fingerprint = false;
        boolean iceUfrag = false;
        for (String line : sdp.split("\r?\n")) {
            if (line.isEmpty()) {
                continue;
            }
            if (line.length() < 2 || line.charAt(1) != '=' || !Character.isLowerCase(line.charAt(0))) {
                return "line '" + abbreviate(line) + "' is not of the form x=value";
            }
            audio |= line.startsWith("m=audio ");
            fingerprint |= line.startsWith("a=fingerprint:");
            iceUfrag |= line.startsWith("a=ice-ufrag:");
        }
        if (!audio) {
            return "it has no m=audio line";
        }
        if (!fingerprint || !iceUfrag) {
            return "it lacks a=fingerprint or a=ice-ufrag, which WebRTC needs";
        }
        return null;
    }

    private static String abbreviate(String line) {
        return line.length() <= 40 ? line : line.substring(0, 40) + "...";
    }
}
