package org.rtcsound.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A real PulseAudio daemon of the suite's own, laid out like an abcdesktop desktop's
 * (src/main/pulse/desktop.pa: sinks virtspk and virtmic, remap source virtmic.2), on a
 * unix socket in its own directory.
 */
public final class PulseAudioDaemon implements AutoCloseable {

    private final Path directory;
    private final Process process;

    private PulseAudioDaemon(Path directory, Process process) {
        this.directory = directory;
        this.process = process;
    }

    public static PulseAudioDaemon start(Path directory) {
        return start(directory, List.of());
    }

    /**
     * A desktop's PulseAudio that also listens on TCP, as abcdesktop's does, admitting
     * only clients from {@code acl} (module-native-protocol-tcp auth-ip-acl).
     */
    public static PulseAudioDaemon startWithTcp(Path directory, int port, String acl) {
        return start(directory, List.of("-L", "module-native-protocol-tcp port=" + port
                + " listen=0.0.0.0 auth-ip-acl=" + acl + " auth-cookie-enabled=0"));
    }

    /**
     * A desktop's PulseAudio started the way abcdesktop's sound container (oc.pulseaudio 3.2)
     * starts it: TCP on one address, admitting only clients with the cookie made from the pod's
     * {@code PULSEAUDIO_COOKIE} (that value written 8 times), no anonymous access.
     */
    public static PulseAudioDaemon startAsAbcdesktop(Path directory, String listen, int port, String pulseaudioCookie) {
        Path cookie = directory.resolve("abcdesktopcookie");
        try {
            Files.createDirectories(directory);
            Files.writeString(cookie, pulseaudioCookie.repeat(8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return start(directory, List.of("-L", "module-native-protocol-tcp listen=" + listen + " port=" + port
                + " auth-cookie=" + cookie));
    }

    /** As {@link #startWithTcp(Path, int, String)}, listening on the given addresses only. */
    public static PulseAudioDaemon startWithTcpOn(Path directory, int port, String acl, String... addresses) {
        List<String> modules = new java.util.ArrayList<>();
        for (String address : addresses) {
            modules.addAll(List.of("-L", "module-native-protocol-tcp port=" + port + " listen=" + address
                    + " auth-ip-acl=" + acl + " auth-cookie-enabled=0"));
        }
        return start(directory, modules);
    }

    /**
     * As {@link #start(Path)}, with the layout (src/main/pulse/desktop.pa) edited first: a
     * desktop laid out otherwise (say, without {@code norewinds=1}, as a desktop image may be).
     */
    public static PulseAudioDaemon startWithLayout(Path directory, java.util.function.UnaryOperator<String> edit) {
        try {
            Files.createDirectories(directory);
            Path layout = directory.resolve("desktop.pa");
            Files.writeString(layout, edit.apply(Files.readString(Path.of("src/main/pulse/desktop.pa"))));
            return start(directory, layout, List.of());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static PulseAudioDaemon start(Path directory, List<String> extraModules) {
        return start(directory, Path.of("src/main/pulse/desktop.pa").toAbsolutePath(), extraModules);
    }

    private static PulseAudioDaemon start(Path directory, Path script, List<String> extraModules) {
        Requirements.require("pulseaudio", "pulseaudio", "pactl", "pulseaudio-utils", "paplay", "pulseaudio-utils");
        try {
            Files.createDirectories(directory);
            Files.deleteIfExists(directory.resolve("native"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        List<String> command = new java.util.ArrayList<>(List.of("pulseaudio", "-n", "-F", script.toString(),
                "--daemonize=no", "--exit-idle-time=-1", "--use-pid-file=no",
                "-L", "module-native-protocol-unix socket=" + directory.resolve("native") + " auth-anonymous=1"));
        command.addAll(extraModules);
        Process process = Processes.start(command,
                Map.of("XDG_RUNTIME_DIR", directory.toString(), "HOME", directory.toString()),
                directory.resolve("pulseaudio.log"));
        PulseAudioDaemon daemon = new PulseAudioDaemon(directory, process);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("PulseAudio exited: see " + directory.resolve("pulseaudio.log"));
            }
            if (Files.exists(directory.resolve("native"))) {
                try {
                    daemon.pactl("info");
                    return daemon;
                } catch (IllegalStateException notYet) {
                    // the socket exists before the daemon answers
                }
            }
            Sleep.millis(50);
        }
        daemon.close();
        throw new IllegalStateException("PulseAudio did not start in 10 s: see " + directory.resolve("pulseaudio.log"));
    }

    /** The value for PULSE_SERVER. */
    public String server() {
        return "unix:" + directory.resolve("native");
    }

    public Map<String, String> clientEnvironment() {
        return Map.of("PULSE_SERVER", server());
    }

    public String pactl(String... arguments) {
        List<String> command = new java.util.ArrayList<>(List.of("pactl"));
        command.addAll(List.of(arguments));
        return Processes.run(command, clientEnvironment(), 10);
    }

    /** Freezes the daemon (SIGSTOP) for a while, then lets it go on (SIGCONT): a PulseAudio that hangs. */
    public void freeze(java.time.Duration duration) {
        Processes.run(List.of("kill", "-STOP", Long.toString(process.pid())), Map.of(), 10);
        try {
            Sleep.millis(duration.toMillis());
        } finally {
            Processes.run(List.of("kill", "-CONT", Long.toString(process.pid())), Map.of(), 10);
        }
    }

    /** Kills the daemon outright (SIGKILL), as a crash would: no client is told goodbye. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Plays a file into a sink, in the background: stop it with {@link Process#destroy()}. */
    public Process play(Path wav, String sink) {
        return Processes.start(List.of("paplay", "--device=" + sink, "--latency-msec=20", wav.toString()),
                clientEnvironment(), directory.resolve("paplay.log"));
    }

    /**
     * As {@link #play(Path, String)}, but at paplay's default latency (no --latency-msec: the
     * server chooses, about 2 s of buffer), as a program that asks for nothing plays.
     */
    public Process playAtDefaultLatency(Path wav, String sink) {
        return Processes.start(List.of("paplay", "--device=" + sink, wav.toString()),
                clientEnvironment(), directory.resolve("paplay.log"));
    }

    /**
     * Records 1.2 s of the desktop's default source until it carries {@code frequency} (within
     * 10 Hz), five times at most: the browser's microphone stream opens in the desktop's
     * PulseAudio once its frames flow, which on a busy machine takes a few seconds. The last
     * recording, whatever it heard.
     */
    public Recording awaitMicrophoneTone(int frequency) {
        return awaitMicrophoneTone(frequency, 1200, 5);
    }

    /** The same, in recordings of {@code windowMillis}, {@code attempts} at most. */
    public Recording awaitMicrophoneTone(int frequency, long windowMillis, int attempts) {
        Recording heard = record("@DEFAULT_SOURCE@", windowMillis);
        for (int attempt = 1; attempt < attempts && Math.abs(heard.frequency() - frequency) > 10; attempt++) {
            heard = record("@DEFAULT_SOURCE@", windowMillis);
        }
        return heard;
    }

    /** Records a source (mono, 48 kHz, 16-bit) for a while: what a desktop program recording it would hear. */
    public Recording record(String source, long millis) {
        Process parec = Processes.start(List.of("parec", "--raw", "--format=s16le", "--rate=48000", "--channels=1",
                "--latency-msec=20", "--device=" + source), clientEnvironment(), null);
        java.io.ByteArrayOutputStream pcm = new java.io.ByteArrayOutputStream();
        Thread reader = new Thread(() -> {
            try {
                parec.getInputStream().transferTo(pcm);
            } catch (IOException ended) {
                // parec was stopped
            }
        });
        reader.start();
        Sleep.millis(millis);
        Processes.stop(parec);
        try {
            reader.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new Recording(pcm.toByteArray());
    }

    /** Mono s16le PCM at 48 kHz, with the two figures the tests judge sound by. */
    public record Recording(byte[] pcm) {
        /** Root mean square level, 0 to 1. */
        public double rms() {
            double sum = 0;
            int n = pcm.length / 2;
            for (int i = 0; i < n; i++) {
                double v = sample(i);
                sum += v * v;
            }
            return n == 0 ? 0 : Math.sqrt(sum / n);
        }

        /**
         * The frequency of a pure tone, from the spacing of its upward zero crossings. Only
         * spacings within 10 % of the median count, so a dropout (a gap of silence, a
         * glitch when a stream starts) does not bend the figure; a wrong tone still shows.
         */
        public double frequency() {
            int n = pcm.length / 2;
            java.util.List<Integer> periods = new java.util.ArrayList<>();
            int previous = -1;
            for (int i = 1; i < n; i++) {
                if (sample(i - 1) < 0 && sample(i) >= 0) {
                    if (previous >= 0) {
                        periods.add(i - previous);
                    }
                    previous = i;
                }
            }
            if (periods.isEmpty()) {
                return 0;
            }
            java.util.List<Integer> sorted = periods.stream().sorted().toList();
            double median = sorted.get(sorted.size() / 2);
            long sum = 0;
            int count = 0;
            for (int period : periods) {
                if (Math.abs(period - median) <= 0.1 * median) {
                    sum += period;
                    count++;
                }
            }
            return 48000.0 * count / sum;
        }

        private double sample(int i) {
            return (short) ((pcm[2 * i] & 0xFF) | (pcm[2 * i + 1] << 8)) / 32768.0;
        }
    }

    @Override
    public void close() {
        Processes.stop(process);
    }
}
