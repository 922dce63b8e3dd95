package org.rtcsound.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** WAV files the tests play: a sine tone, or digital silence (48 kHz, 16-bit, stereo). */
public final class Tones {

    public static final int RATE = 48000;

    private Tones() {
    }

    public static Path sine(Path file, double frequency, double seconds, double amplitude) {
        int frames = (int) (RATE * seconds);
        ByteBuffer pcm = ByteBuffer.allocate(frames * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < frames; i++) {
            short sample = (short) Math.round(amplitude * Short.MAX_VALUE * Math.sin(2 * Math.PI * frequency * i / RATE));
            pcm.putShort(sample).putShort(sample);
        }
        return write(file, pcm.array());
    }

    public static Path silence(Path file, double seconds) {
        return write(file, new byte[(int) (RATE * seconds) * 4]);
    }

    private static Path write(Path file, byte[] pcm) {
        ByteBuffer header = ByteBuffer.allocate(44).order(ByteOrder.LITTLE_ENDIAN);
        header.put("RIFF".getBytes()).putInt(36 + pcm.length).put("WAVE".getBytes())
                .put("fmt ".getBytes()).putInt(16).putShort((short) 1).putShort((short) 2)
                .putInt(RATE).putInt(RATE * 4).putShort((short) 4).putShort((short) 16)
                .put("data".getBytes()).putInt(pcm.length);
        try {
            Files.createDirectories(file.getParent());
            byte[] all = new byte[44 + pcm.length];
            System.arraycopy(header.array(), 0, all, 0, 44);
            System.arraycopy(pcm, 0, all, 44, pcm.length);
            Files.write(file, all);
            return file;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
