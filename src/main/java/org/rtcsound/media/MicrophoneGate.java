package org.rtcsound.media;

import org.freedesktop.gstreamer.Bin;
import org.freedesktop.gstreamer.Element;
import org.freedesktop.gstreamer.State;
import org.freedesktop.gstreamer.Structure;
import org.rtcsound.desktop.PulseCookie;

/**
 * The browser's microphone has a stream in the desktop's PulseAudio only while the browser
 * sends: once no RTP has arrived for {@link #IDLE_MILLIS} (the user turned the microphone
 * off, or it was unplugged) the valve drops and pulsesink goes to READY, so its sink-input
 * is gone; when RTP flows again, pulsesink plays and the valve opens (it re-sends the
 * caps). Never to NULL while the call lasts: a caps query reaching a pulsesink in NULL when
 * no other pulsesink of the process is open locks pulsesink's shared mainloop, which is
 * gone, and libpulse aborts the whole server ("Assertion 'm' failed ...
 * pa_threaded_mainloop_lock()", seen once in a full suite run). Activity is read from rtpopusdepay's {@code stats} every {@link #POLL_MILLIS}, so
 * the media path carries no Java callback per buffer.
 */
final class MicrophoneGate {

    static final long POLL_MILLIS = 200;
    static final long IDLE_MILLIS = 1000;

    private final Element depayloader;
    private final Element valve;
    private final Element sink;
    private final PulseCookie cookie;
    private long lastSeqnum = -1;
    private long lastActivity = System.nanoTime();
    private boolean open = true;

    /** Takes the branch's sink out of the pipeline's state changes: from here on the gate sets it. */
    MicrophoneGate(Bin microphone, PulseCookie cookie) {
        this.cookie = cookie;
        depayloader = microphone.getElementByName("microphone-depayloader");
        valve = microphone.getElementByName("microphone-gate");
        sink = microphone.getElementByName("microphone");
        sink.setLockedState(true);
    }

    /** Whether the browser's microphone is being played into the desktop: it sent, and recently. */
    boolean isOpen() {
        return open && lastSeqnum >= 0;
    }

    /** Called every {@link #POLL_MILLIS} while the call lasts. */
    void check() {
        long seqnum = seqnum();
        long now = System.nanoTime();
        if (seqnum != lastSeqnum) {
            lastSeqnum = seqnum;
            lastActivity = now;
            if (!open) {
                PulseCookies.open(cookie, () -> sink.setState(State.PLAYING)); // reconnects to PulseAudio
                valve.set("drop", false);
                open = true;
            }
        } else if (open && now - lastActivity > IDLE_MILLIS * 1_000_000) {
            valve.set("drop", true);
            sink.setState(State.READY);
            open = false;
        }
    }

    /** Gives the sink back to its bin, which stops it with the rest of the call (all READY first, then NULL). */
    void close() {
        valve.set("drop", true);
        sink.setLockedState(false);
        depayloader.dispose();
        valve.dispose();
        sink.dispose();
    }

    private long seqnum() {
        Object stats = depayloader.get("stats");
        if (!(stats instanceof Structure structure)) {
            return lastSeqnum;
        }
        try {
            return ((Number) structure.getValue("seqnum")).longValue();
        } finally {
            structure.dispose();
        }
    }
}
