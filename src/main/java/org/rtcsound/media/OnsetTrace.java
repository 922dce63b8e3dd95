package org.rtcsound.media;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import org.freedesktop.gstreamer.Buffer;
import org.freedesktop.gstreamer.Pad;
import org.freedesktop.gstreamer.PadProbeReturn;
import org.freedesktop.gstreamer.PadProbeType;

/**
 * Where the time of the desktop's sound goes inside the server, when {@code rtcsound.trace.onsets}
 * is on: each onset (the first sample over {@link #THRESHOLD} after {@link #QUIET_FRAMES} of
 * quiet) is timestamped on the wall clock as its buffer leaves the capture, as the Opus frame
 * holding it leaves the encoder, and as each call's payloader hands its RTP packet to webrtcbin.
 * Read as {@link TracedOnset}s. Off by default: it puts a Java callback on every buffer, which the media path otherwise never has.
 */
final class OnsetTrace {

    /** 0.05 of full scale, as the benchmark's page detector. */
    static final int THRESHOLD = (int) (0.05 * Short.MAX_VALUE);
    /** 200 ms at 48 kHz. */
    static final long QUIET_FRAMES = 9600;
    private static final int KEPT = 64;
    private static final int CHANNELS = 2;
    private static final long NANOS_PER_FRAME = 1_000_000_000L / 48_000;

    private final Object lock = new Object();
    private final Deque<Pending> onsets = new ArrayDeque<>();
    /** Kept: a pad's wrapper holds its probe's callback, which must live as long as the probe. */
    private Pad capturePad;
    private Pad encoderPad;
    private long quietFrames;

    /** An onset while its steps are filled in; read only under the lock. */
    private static final class Pending {
        final long ptsNanos;
        final long capturedMicros;
        long framePtsNanos = -1;
        long encodedMicros;
        final List<Long> packedMicros = new ArrayList<>();

        Pending(long ptsNanos, long capturedMicros) {
            this.ptsNanos = ptsNanos;
            this.capturedMicros = capturedMicros;
        }
    }

    /** Watches raw S16LE stereo leaving the capture for onsets. */
    void watchCapture(Pad pad) {
        capturePad = pad;
        pad.addProbe(PadProbeType.BUFFER, (p, info) -> {
            Buffer buffer = info.getBuffer();
            long now = micros();
            ByteBuffer samples = buffer.map(false);
            try {
                samples.order(ByteOrder.LITTLE_ENDIAN);
                int frames = samples.remaining() / (2 * CHANNELS);
                for (int frame = 0; frame < frames; frame++) {
                    int loudest = 0;
                    for (int channel = 0; channel < CHANNELS; channel++) {
                        loudest = Math.max(loudest, Math.abs(samples.getShort((frame * CHANNELS + channel) * 2)));
                    }
                    if (loudest <= THRESHOLD) {
                        quietFrames++;
                    } else {
                        if (quietFrames >= QUIET_FRAMES) {
                            onset(buffer.getPresentationTimestamp() + frame * NANOS_PER_FRAME, now);
                        }
                        quietFrames = 0;
                    }
                }
            } finally {
                buffer.unmap();
            }
            return PadProbeReturn.OK;
        });
    }

    private void onset(long ptsNanos, long capturedMicros) {
        synchronized (lock) {
            onsets.addLast(new Pending(ptsNanos, capturedMicros));
            if (onsets.size() > KEPT) {
                onsets.removeFirst();
            }
        }
    }

    /** Watches Opus frames leaving the encoder: the first one to end after an onset holds it. */
    void watchEncoder(Pad pad) {
        encoderPad = pad;
        pad.addProbe(PadProbeType.BUFFER, (p, info) -> {
            Buffer buffer = info.getBuffer();
            long start = buffer.getPresentationTimestamp();
            long end = start + buffer.getDuration();
            long now = micros();
            synchronized (lock) {
                for (Pending onset : onsets) {
                    if (onset.framePtsNanos < 0 && end > onset.ptsNanos) {
                        onset.framePtsNanos = start;
                        onset.encodedMicros = now;
                    }
                }
            }
            return PadProbeReturn.OK;
        });
    }

    /** Watches one call's RTP packets leaving its payloader for webrtcbin; the caller keeps the pad (and so the probe). */
    void watchPacker(Pad pad) {
        long[] lastSeen = {-1};
        pad.addProbe(PadProbeType.BUFFER, (p, info) -> {
            long pts = info.getBuffer().getPresentationTimestamp();
            long now = micros();
            synchronized (lock) {
                for (Pending onset : onsets) {
                    // each packer passes each frame once: the first of its packets at or after the frame
                    boolean passing = lastSeen[0] >= 0 ? lastSeen[0] < onset.framePtsNanos && pts >= onset.framePtsNanos
                            : pts == onset.framePtsNanos; // a packer that joined later never passed the older ones
                    if (onset.framePtsNanos >= 0 && passing) {
                        onset.packedMicros.add(now);
                    }
                }
                lastSeen[0] = pts;
            }
            return PadProbeReturn.OK;
        });
    }

    /** The onsets seen lately, oldest first. */
    List<TracedOnset> onsets() {
        synchronized (lock) {
            return onsets.stream().map(o -> new TracedOnset(o.ptsNanos, o.capturedMicros, o.encodedMicros,
                    List.copyOf(o.packedMicros))).toList();
        }
    }

    private static long micros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
    }
}
