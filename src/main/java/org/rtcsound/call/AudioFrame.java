package org.rtcsound.call;

import java.nio.ByteBuffer;

/**
 * One Opus packet on the WebSocket path, as a binary WebSocket frame: an 8-byte big-endian
 * timestamp in microseconds (the capture's clock, each side its own), then the packet.
 * Downwards the desktop's sound (stereo, 48 kHz, 10 ms frames); upwards the browser's
 * microphone (mono, 48 kHz).
 *
 * @param timestampMicros when the packet's first sample was captured, on the sender's clock
 * @param opus one Opus packet, as opusenc or WebCodecs' AudioEncoder produce it
 */
public record AudioFrame(long timestampMicros, byte[] opus) {

    /** The header: the timestamp. */
    public static final int HEADER_BYTES = 8;
    /** The largest Opus packet (RFC 6716: 120 ms at most 1275 bytes a frame, 6 frames) and its header. */
    public static final int MAX_BYTES = HEADER_BYTES + 1275 * 6;

    /** The frame as it goes on the wire. */
    public ByteBuffer encode() {
        return ByteBuffer.allocate(HEADER_BYTES + opus.length).putLong(timestampMicros).put(opus).flip();
    }

    /** The frame a browser sent, or null when it is no frame (too short, too long, or no packet). */
    public static AudioFrame decode(ByteBuffer wire) {
        int length = wire.remaining();
        if (length <= HEADER_BYTES || length > MAX_BYTES) {
            return null;
        }
        ByteBuffer frame = wire.duplicate();
        long timestamp = frame.getLong();
        byte[] opus = new byte[frame.remaining()];
        frame.get(opus);
        return new AudioFrame(timestamp, opus);
    }
}
