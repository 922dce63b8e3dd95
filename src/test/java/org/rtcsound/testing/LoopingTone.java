package org.rtcsound.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * A sine tone played into a desktop's sink for as long as it is open: one pacat fed by a
 * thread with a one-second buffer of a whole number of cycles, over and over (phase
 * continuous, no file to hold, no gap when a file would end). pacat's blocking pipe paces
 * the writer.
 */
public final class LoopingTone implements AutoCloseable {

    private final Process pacat;
    private final Thread writer;
    private volatile boolean open = true;

    private LoopingTone(Process pacat, byte[] second) {
        this.pacat = pacat;
        this.writer = new Thread(() -> {
            try (OutputStream out = pacat.getOutputStream()) {
                while (open) {
                    out.write(second);
                    out.flush();
                }
            } catch (IOException stopped) {
                // pacat ended
            }
        }, "tone-" + pacat.pid());
        writer.setDaemon(true);
        writer.start();
    }

    /** Plays {@code frequency} Hz (rounded to a whole number) at {@code amplitude} (0..1) into {@code sink}. */
    public static LoopingTone start(PulseAudioDaemon desktop, String sink, double frequency, double amplitude) {
        int hz = (int) Math.round(frequency);
        ByteBuffer pcm = ByteBuffer.allocate(Tones.RATE * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < Tones.RATE; i++) {
            short s = (short) Math.round(amplitude * Short.MAX_VALUE * Math.sin(2 * Math.PI * hz * i / Tones.RATE));
            pcm.putShort(s).putShort(s);
        }
        Process pacat = Processes.start(List.of("pacat", "--playback", "--device=" + sink, "--rate=48000",
                "--channels=2", "--format=s16le", "--raw", "--latency-msec=50"), desktop.clientEnvironment(), null);
        return new LoopingTone(pacat, pcm.array());
    }

    public boolean isPlaying() {
        return pacat.isAlive();
    }

    @Override
    public void close() {
        open = false;
        Processes.stop(pacat);
        try {
            writer.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
