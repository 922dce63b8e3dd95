package org.rtcsound.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The real parts the integration tests share, started once per test JVM: a PulseAudio
 * laid out like an abcdesktop desktop, then Liberty with the built WAR pointed at it.
 * Use with {@code @ExtendWith(Suite.class)} and a {@link Suite.Parts} parameter.
 */
public final class Suite implements BeforeAllCallback, ParameterResolver {

    /** What a test gets: the running parts, and a scratch directory. */
    public record Parts(PulseAudioDaemon pulse, LibertyServer liberty, Path work)
            implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            liberty.close();
            pulse.close();
        }
    }

    public static Path work() {
        return Path.of(System.getProperty("rtcsound.it.work", "target/it-work")).toAbsolutePath();
    }

    /** PULSE_SERVER as failsafe sets it for the whole test JVM (unix:<dir>/native). */
    public static Path pulseDirectory() {
        String server = System.getenv("PULSE_SERVER");
        if (server == null || !server.startsWith("unix:")) {
            throw new IllegalStateException("PULSE_SERVER must be unix:<dir>/native (failsafe sets it)");
        }
        return Path.of(server.substring(5)).getParent();
    }

    /** The suite's PulseAudio alone, for tests whose server is started by someone else (Arquillian). */
    public static PulseAudioDaemon pulse(ExtensionContext context) {
        return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent("pulse", key -> new ClosablePulse(PulseAudioDaemon.start(pulseDirectory())),
                        ClosablePulse.class).daemon();
    }

    private record ClosablePulse(PulseAudioDaemon daemon) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            daemon.close();
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        parts(context);
    }

    private static Parts parts(ExtensionContext context) {
        return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent("parts", key -> start(context), Parts.class);
    }

    /** The od.config the test server reads and watches: a copy of the bundled sample that tests may edit. */
    public static Path odConfig() {
        return work().resolve("od.config");
    }

    /**
     * What the suite adds to the bundled od.config: the local demo sign-in (so that pages
     * opened on localhost sign in as ?uid=), and limits high enough for the stress tests,
     * all from one client address, and no linger, so that a desktop's stream stops with its
     * last listener and every test starts from an idle server. Tests about these settings edit these lines.
     */
    public static final String TEST_SETTINGS = """

            rtcsound.security.demo-sign-in : True
            rtcsound.limits.new-sessions-per-client-per-minute : 100000
            rtcsound.limits.sessions-per-user : 1000
            rtcsound.limits.sessions : 1000
            rtcsound.stream.linger-seconds : 0
            """;

    public static void restoreOdConfig() {
        editOdConfig(sample -> sample);
    }

    /**
     * Replaces the test server's od.config in one step (as a ConfigMap update does) with an
     * edit of the sample plus {@link #TEST_SETTINGS}.
     */
    public static void editOdConfig(java.util.function.UnaryOperator<String> edit) {
        try {
            Files.createDirectories(work());
            String sample = Files.readString(Path.of("src/main/resources/od.config")) + TEST_SETTINGS;
            Path next = odConfig().resolveSibling("od.config.next");
            Files.writeString(next, edit.apply(sample));
            Files.move(next, odConfig(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Parts start(ExtensionContext context) {
        PulseAudioDaemon pulse = pulse(context);
        restoreOdConfig();
        LibertyServer liberty = LibertyServer.start(
                Path.of(System.getProperty("rtcsound.it.wlp", "target/liberty/wlp")),
                System.getProperty("rtcsound.it.server", "rtcsound-it"),
                Integer.getInteger("rtcsound.it.http.port", 19080),
                Integer.getInteger("rtcsound.it.https.port", 19443),
                Map.of("PULSE_SERVER", pulse.server(), "RTCSOUND_ODCONFIG_FILE", odConfig().toString()));
        return new Parts(pulse, liberty, work());
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Parts.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return parts(context);
    }
}
