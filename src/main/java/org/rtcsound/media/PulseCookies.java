package org.rtcsound.media;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

import com.sun.jna.Library;
import com.sun.jna.Native;

import org.rtcsound.desktop.PulseCookie;

/**
 * Gives each desktop's PulseAudio its own cookie, in one process, with GStreamer's
 * pulsesrc and pulsesink, which have no cookie property.
 *
 * <p>libpulse takes a context's cookie from the file {@code PULSE_COOKIE} names, and reads
 * that file when the context connects ({@code pa_client_conf_load_cookie} in
 * {@code setup_context}), not when it is created. pulsesrc and pulsesink connect their
 * context inside their NULL to READY state change and wait there until it is ready (or
 * failed). So rtcsound points {@code PULSE_COOKIE}, once at start-up, at a private file
 * (mode 0600) that holds zeros, and every state change that may connect to a desktop's
 * PulseAudio runs through {@link #open}: under one process-wide lock, the file holds that
 * desktop's cookie, the element is brought to READY (connected, authenticated), and the
 * file is zeroed again before the lock is let go.
 *
 * <p>Why this is safe with many desktops at once: the file is read only by libpulse while a
 * context connects; every context rtcsound makes connects in one of these state changes, and
 * they run one at a time under the lock, so a connecting context reads the cookie of its
 * own desktop and of no other, and never one half written. A context pulsesink shares
 * between sinks (keyed by client name and server) is already authenticated to that same
 * desktop. The cost: connections to PulseAudio are made one after another (milliseconds
 * each), while capture and playback themselves run in parallel.
 */
final class PulseCookies {

    private static final Object LOCK = new Object();
    private static final byte[] NO_COOKIE = new byte[PulseCookie.LENGTH];
    private static volatile Path file;

    private PulseCookies() {
    }

    private interface C extends Library {
        int setenv(String name, String value, int overwrite);
    }

    /** Once, before GStreamer makes any PulseAudio context. */
    static synchronized void install() {
        if (file != null) {
            return;
        }
        try {
            Path directory = Files.createTempDirectory("rtcsound-pulse-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path cookie = Files.createFile(directory.resolve("cookie"),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.write(cookie, NO_COOKIE);
            cookie.toFile().deleteOnExit();
            directory.toFile().deleteOnExit();
            if (Native.load("c", C.class).setenv("PULSE_COOKIE", cookie.toString(), 1) != 0) {
                throw new IllegalStateException("setenv(PULSE_COOKIE) failed");
            }
            file = cookie;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make rtcsound's PulseAudio cookie file", e);
        }
    }

    /**
     * Runs a state change that may connect to a desktop's PulseAudio, with that desktop's
     * cookie in force (or none: the desktop admits rtcsound by address).
     */
    static <T> T open(PulseCookie cookie, java.util.function.Supplier<T> stateChange) {
        // Also without a cookie: a desktop admitted by address must never read another's cookie.
        synchronized (LOCK) {
            if (cookie == null) {
                return stateChange.get();
            }
            write(cookie.bytes());
            try {
                return stateChange.get();
            } finally {
                write(NO_COOKIE);
            }
        }
    }

    private static void write(byte[] bytes) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(bytes), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write rtcsound's PulseAudio cookie file", e);
        } finally {
            java.util.Arrays.fill(bytes, (byte) 0);
        }
    }
}
