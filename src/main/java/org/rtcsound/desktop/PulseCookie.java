package org.rtcsound.desktop;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The secret a desktop's PulseAudio admits clients by. abcdesktop gives each desktop pod a
 * {@code PULSEAUDIO_COOKIE} of 32 characters (Kubernetes label values are short) and its
 * sound container writes that text 8 times into the 256-byte cookie file PulseAudio wants;
 * rtcsound builds the same 256 bytes from the same value. Never printed.
 */
public final class PulseCookie {

    /** PulseAudio's native-protocol cookie length (PA_NATIVE_COOKIE_LENGTH). */
    public static final int LENGTH = 256;
    /** The length of abcdesktop's PULSEAUDIO_COOKIE value. */
    public static final int VALUE_LENGTH = 32;

    private final byte[] bytes;

    private PulseCookie(byte[] bytes) {
        this.bytes = bytes;
    }

    /**
     * @param value the desktop's PULSEAUDIO_COOKIE
     * @throws IllegalArgumentException (saying nothing of the value) when it is not 32 ASCII characters
     */
    public static PulseCookie fromAbcdesktopValue(String value) {
        if (value == null || value.length() != VALUE_LENGTH || !StandardCharsets.US_ASCII.newEncoder().canEncode(value)) {
            throw new IllegalArgumentException("must be abcdesktop's PULSEAUDIO_COOKIE value: "
                    + VALUE_LENGTH + " ASCII characters");
        }
        return new PulseCookie(value.repeat(LENGTH / VALUE_LENGTH).getBytes(StandardCharsets.US_ASCII));
    }

    /** The 256 bytes, as a cookie file holds them (a copy). */
    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof PulseCookie c && Arrays.equals(bytes, c.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "PulseCookie[secret]";
    }
}
