package org.rtcsound.media;

/**
 * What a listener concludes from what its webrtcbin reports, once a second: connected, the
 * connection lost (webrtcbin 1.22 cannot restart ICE, so a failed or lasting disconnected
 * ICE needs a new call), or the browser silent (no RTCP receiver report for
 * {@link #RECEIVER_REPORT_SILENCE_MILLIS}). Chrome and Firefox report on an audio stream at
 * random intervals around 5 s (2.5 to 7.5 s; seen here 4 to 7 s apart), so a silence this
 * short is often nothing: it only makes the session ping the browser, and a browser that
 * answers keeps its call. Short, so that a browser gone is freed within 10 s. Plain state, no GStreamer: the caller holds the
 * listener's lock. Times are {@link System#nanoTime()}.
 */
final class ConnectionHealth {

    static final long POLL_MILLIS = 1000;
    static final long DISCONNECTED_GRACE_MILLIS = 2000;
    static final long RECEIVER_REPORT_SILENCE_MILLIS = 3000;

    private static final long MILLIS = 1_000_000;

    private long connectedAt = -1;
    private long disconnectedSince = -1;
    private String lastReport;
    private long lastReportAt;
    private long lastBytes = -1;
    private long lastBytesAt;

    /** The peer connection reached connected at {@code now}; true the first time only. */
    boolean connected(long now) {
        if (connectedAt >= 0) {
            return false;
        }
        connectedAt = now;
        lastReportAt = now;
        return true;
    }

    boolean isConnected() {
        return connectedAt >= 0;
    }

    /**
     * The ICE connection state now; why the connection is lost, or null while it is not. Only
     * a call that connected can lose its connection: one that never did is the page's to
     * retry, with its backoff (calling again at once would loop on a path that always fails).
     */
    String iceState(String state, long now) {
        if (!isConnected()) {
            return null;
        }
        if ("failed".equals(state)) {
            return "ICE failed";
        }
        if (!"disconnected".equals(state)) {
            disconnectedSince = -1;
            return null;
        }
        if (disconnectedSince < 0) {
            disconnectedSince = now;
        }
        long millis = (now - disconnectedSince) / MILLIS;
        return millis >= DISCONNECTED_GRACE_MILLIS ? "ICE disconnected for " + millis + " ms" : null;
    }

    /**
     * The last receiver report as the stats identify it (null before the first); true when
     * none has come for {@link #RECEIVER_REPORT_SILENCE_MILLIS} since the later of the last one
     * and the connection.
     */
    boolean receiverReport(String report, long now) {
        if (report != null && !report.equals(lastReport)) {
            lastReport = report;
            lastReportAt = now;
            return false;
        }
        return isConnected() && (now - lastReportAt) / MILLIS >= RECEIVER_REPORT_SILENCE_MILLIS;
    }

    /** Bits sent per second since the last call, from the bytes sent so far; null the first time. */
    Double bitsPerSecond(long bytesSent, long now) {
        Double rate = lastBytes < 0 || now == lastBytesAt ? null
                : (bytesSent - lastBytes) * 8e9 / (now - lastBytesAt);
        lastBytes = bytesSent;
        lastBytesAt = now;
        return rate;
    }
}
