package org.rtcsound.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import org.rtcsound.testing.Processes;

/**
 * The desktop's default source (where the browser's microphone comes out), read by parec in
 * 5 ms chunks as it comes (parec's own 10 ms latency included): when each loud chunk (peak
 * over 3000 of 32767) arrived, on the wall clock in ms, and, between {@link #startRecording()}
 * and {@link #stopRecording()}, the samples themselves.
 */
final class DesktopSourceListener implements AutoCloseable {

    private static final int CHUNK_BYTES = 480; // 5 ms of mono s16le at 48 kHz

    private final Process parec;
    private final Thread reader;
    private final List<Double> loudChunks = Collections.synchronizedList(new ArrayList<>());
    private final ByteArrayOutputStream recording = new ByteArrayOutputStream();
    private volatile boolean recordingOn;

    DesktopSourceListener(Map<String, String> desktopEnvironment) {
        parec = Processes.start(List.of("parec", "--raw", "--format=s16le", "--rate=48000", "--channels=1",
                "--latency-msec=10", "--device=@DEFAULT_SOURCE@"), desktopEnvironment, null);
        reader = new Thread(this::read, "desktop-source-listener");
        reader.start();
    }

    private void read() {
        byte[] chunk = new byte[CHUNK_BYTES];
        try (var in = parec.getInputStream()) {
            while (in.readNBytes(chunk, 0, chunk.length) == chunk.length) {
                double now = FirstAudioBenchmark.epochMillis(Instant.now());
                if (peak(chunk, 0) > 3000) {
                    loudChunks.add(now);
                }
                if (recordingOn) {
                    synchronized (recording) {
                        recording.write(chunk, 0, chunk.length);
                    }
                }
            }
        } catch (IOException ended) {
            // parec stopped
        }
    }

    static int peak(byte[] pcm, int from) {
        int peak = 0;
        for (int i = from; i < from + CHUNK_BYTES && i + 1 < pcm.length; i += 2) {
            peak = Math.max(peak, Math.abs((short) ((pcm[i] & 0xFF) | (pcm[i + 1] << 8))));
        }
        return peak;
    }

    /** When loud chunks came (ms since the epoch); synchronized on itself. */
    List<Double> loudChunks() {
        return loudChunks;
    }

    void startRecording() {
        synchronized (recording) {
            recording.reset();
        }
        recordingOn = true;
    }

    byte[] stopRecording() {
        recordingOn = false;
        synchronized (recording) {
            return recording.toByteArray();
        }
    }

    /** The share of 5 ms chunks whose peak is under half the median chunk's: gaps in a steady tone (percent). */
    static double dropoutPercent(byte[] pcm) {
        List<Integer> peaks = new ArrayList<>();
        for (int from = 0; from + CHUNK_BYTES <= pcm.length; from += CHUNK_BYTES) {
            peaks.add(peak(pcm, from));
        }
        if (peaks.isEmpty()) {
            return -1;
        }
        int median = peaks.stream().sorted().toList().get(peaks.size() / 2);
        return 100.0 * peaks.stream().filter(p -> p < median / 2).count() / peaks.size();
    }

    @Override
    public void close() throws InterruptedException {
        Processes.stop(parec);
        reader.join(2000);
    }
}
