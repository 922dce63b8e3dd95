package org.rtcsound.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Map;

/**
 * Everything a call through a TURN relay needs, in a private network namespace of the
 * test's own (relaying on 127.0.0.1 never connects, shared/notes/platform.md): a real
 * coturn, a Liberty whose rtc_configuration says iceTransportPolicy "relay" (so the
 * browser may use no other path), and Chromium in the same namespace. The desktop's
 * PulseAudio is the suite's, over its unix socket.
 */
public final class RelayRig implements AutoCloseable {

    public static final String ADDRESS = "10.254.0.2";

    private final NetworkNamespace namespace;
    private Coturn coturn;
    private LibertyServer server;
    private Chromium chromium;

    private RelayRig(NetworkNamespace namespace) {
        this.namespace = namespace;
    }

    public static RelayRig start(Suite.Parts parts) {
        RelayRig rig = new RelayRig(NetworkNamespace.create("rtcs-relay", "10.254.0.1", ADDRESS));
        try {
            String secret = "relay-" + Long.toHexString(new SecureRandom().nextLong());
            rig.coturn = Coturn.start(parts.work().resolve("relay-coturn"), secret, ADDRESS, 3478, rig.namespace.prefix());
            Path odConfig = parts.work().resolve("relay-od.config");
            Files.writeString(odConfig, String.join("\n", "[global]",
                    "webrtc.enable : True",
                    "webrtc.rtc_configuration : { 'iceServers': [], 'iceTransportPolicy': 'relay' }",
                    "webrtc.coturn : { 'coturn_static_auth_secret': '" + secret + "', 'ttl': 600,",
                    "    'protocol': 'turn', 'url': '" + rig.coturn.url() + "' }", ""));
            rig.server = LibertyServer.start(Path.of(System.getProperty("rtcsound.it.wlp", "target/liberty/wlp")),
                    "rtcsound-relay", ADDRESS, 19280, 19643,
                    Map.of("PULSE_SERVER", parts.pulse().server(), "RTCSOUND_ODCONFIG_FILE", odConfig.toString()),
                    rig.namespace.prefix());
            rig.chromium = Chromium.launch(Chromium.FLAGS,
                    rig.namespace.wrapper(parts.work().resolve("bin"), Requirements.which("chromium")));
            return rig;
        } catch (IOException | RuntimeException e) {
            rig.close();
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
        }
    }

    /** The namespace coturn, the server and Chromium run in. */
    public NetworkNamespace namespace() {
        return namespace;
    }

    public LibertyServer server() {
        return server;
    }

    public Chromium chromium() {
        return chromium;
    }

    @Override
    public void close() {
        if (chromium != null) {
            chromium.close();
        }
        if (server != null) {
            server.close();
        }
        if (coturn != null) {
            coturn.close();
        }
        namespace.close();
    }
}
