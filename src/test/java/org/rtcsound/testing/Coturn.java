package org.rtcsound.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A real coturn (Debian's `turnserver`) configured like the seed's minimal
 * /etc/turnserver.conf (lt-cred-mech, use-auth-secret, static-auth-secret, realm, a
 * listening port), adapted to a test: loopback, files of its own, and TLS only when asked for
 * ({@link #startTls}: the seed's tls-listening-port with cert and pkey).
 */
public final class Coturn implements AutoCloseable {

    public static final String REALM = "turn.rtcsound.test";

    private final Process process;
    private final String listeningIp;
    private final int port;

    private final Path log;

    private Coturn(Process process, String listeningIp, int port, Path log) {
        this.process = process;
        this.listeningIp = listeningIp;
        this.port = port;
        this.log = log;
    }

    public static Coturn start(Path directory, String secret, String listeningIp, int port) {
        return start(directory, secret, listeningIp, port, List.of());
    }

    /** coturn whose command runs after {@code prefix} (e.g. `ip netns exec NS`). */
    public static Coturn start(Path directory, String secret, String listeningIp, int port, List<String> prefix) {
        return start(directory, secret, listeningIp, port, List.of("no-tls"), prefix);
    }

    /**
     * coturn that also listens for TURN over TLS on {@code tlsPort} with {@code certificate},
     * logging each session (a TLS one with its cipher and TLS version) for {@link #log()}.
     */
    public static Coturn startTls(Path directory, String secret, String listeningIp, int port, int tlsPort,
            TestCertificateAuthority.Issued certificate) {
        return start(directory, secret, listeningIp, port, List.of("tls-listening-port=" + tlsPort,
                "cert=" + certificate.certificateFile(), "pkey=" + certificate.keyFile(), "verbose"), List.of());
    }

    private static Coturn start(Path directory, String secret, String listeningIp, int port, List<String> tls,
            List<String> prefix) {
        Requirements.require("turnserver", "coturn");
        try {
            Files.createDirectories(directory);
            Files.deleteIfExists(directory.resolve("turnserver.log")); // coturn appends: no earlier run's sessions
            Path config = directory.resolve("turnserver.conf");
            List<String> lines = new java.util.ArrayList<>(List.of(
                    "listening-port=" + port,
                    "listening-ip=" + listeningIp,
                    "relay-ip=" + listeningIp,
                    "lt-cred-mech",
                    "use-auth-secret",
                    "static-auth-secret=" + secret,
                    "server-name=" + REALM,
                    "realm=" + REALM,
                    "no-dtls",
                    "no-cli",
                    "allow-loopback-peers",
                    "no-multicast-peers",
                    "userdb=" + directory.resolve("turndb"),
                    "pidfile=" + directory.resolve("turnserver.pid"),
                    "log-file=" + directory.resolve("turnserver.log"),
                    "simple-log"));
            lines.addAll(tls);
            lines.add("");
            Files.writeString(config, String.join("\n", lines));
            List<String> command = new java.util.ArrayList<>(prefix);
            command.addAll(List.of("turnserver", "-c", config.toString()));
            Process process = Processes.start(command, Map.of(), directory.resolve("turnserver.out"));
            Coturn coturn = new Coturn(process, listeningIp, port, directory.resolve("turnserver.log"));
            coturn.awaitAnswering();
            return coturn;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An Allocate without credentials answers 401 once coturn listens. */
    private void awaitAnswering() {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("coturn exited");
            }
            try {
                if (TurnAllocation.allocate(address(), "probe", "probe") == 401) {
                    return;
                }
            } catch (IOException notYet) {
                Sleep.millis(100);
            }
        }
        throw new IllegalStateException("coturn did not answer in 10 s");
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(listeningIp, port);
    }

    /** host:port, as webrtc.coturn's url. */
    public String url() {
        return listeningIp + ":" + port;
    }

    /** What coturn logged so far. */
    public String log() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        Processes.stop(process);
    }
}
