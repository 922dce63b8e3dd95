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
        Requirements.require("pulseaudio", "pulseaudio", "pactl", "pulseaudio-utils", "paplay", "pulseaudio-utils");
        try {
            Files.createDirectories(directory);
            Files.deleteIfExists(directory.resolve("native"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Path script = Path.of("src/main/pulse/desktop.pa").toAbsolutePath();
        Process process = Processes.start(List.of("pulseaudio", "-n", "-F", script.toString(),
                        "--daemonize=no", "--exit-idle-time=-1", "--use-pid-file=no",
                        "-L", "module-native-protocol-unix socket=" + directory.resolve("native") + " auth-anonymous=1"),
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

    /** Plays a file into a sink, in the background: stop it with {@link Process#destroy()}. */
    public Process play(Path wav, String sink) {
        return Processes.start(List.of("paplay", "--device=" + sink, "--latency-msec=20", wav.toString()),
                clientEnvironment(), directory.resolve("paplay.log"));
    }

    @Override
    public void close() {
        Processes.stop(process);
    }
}
