package org.rtcsound.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.rtcsound.testing.Chromium;
import org.rtcsound.testing.Coturn;
import org.rtcsound.testing.LibertyServer;
import org.rtcsound.testing.NetworkNamespace;
import org.rtcsound.testing.PageAudio;
import org.rtcsound.testing.Requirements;
import org.rtcsound.testing.Suite;
import org.rtcsound.testing.Tones;

/**
 * Sound through a TURN relay, end to end: the page's rtc_configuration says
 * iceTransportPolicy "relay", so Chromium may use no other path. coturn, Liberty and
 * Chromium run in a private network namespace of the test's own (relaying on 127.0.0.1
 * never connects, shared/notes/platform.md); the desktop's PulseAudio is the suite's, over
 * its unix socket.
 */
@ExtendWith(Suite.class)
class RelayIT {

    private static final String SECRET = "relay-" + Long.toHexString(new SecureRandom().nextLong());
    private static final String ADDRESS = "10.254.0.2";

    private static NetworkNamespace namespace;
    private static Coturn coturn;
    private static LibertyServer server;
    private static Chromium chromium;
    private final Suite.Parts parts;

    RelayIT(Suite.Parts parts) {
        this.parts = parts;
    }

    @BeforeAll
    static void start(Suite.Parts parts) throws IOException {
        namespace = NetworkNamespace.create("rtcs-relay", "10.254.0.1", ADDRESS);
        coturn = Coturn.start(parts.work().resolve("relay-coturn"), SECRET, ADDRESS, 3478, namespace.prefix());
        Path odConfig = parts.work().resolve("relay-od.config");
        Files.writeString(odConfig, String.join("\n", "[global]",
                "webrtc.enable : True",
                "webrtc.rtc_configuration : { 'iceServers': [], 'iceTransportPolicy': 'relay' }",
                "webrtc.coturn : { 'coturn_static_auth_secret': '" + SECRET + "', 'ttl': 600,",
                "    'protocol': 'turn', 'url': '" + coturn.url() + "' }", ""));
        server = LibertyServer.start(Path.of(System.getProperty("rtcsound.it.wlp", "target/liberty/wlp")),
                "rtcsound-relay", ADDRESS, 19280, 19643,
                Map.of("PULSE_SERVER", parts.pulse().server(), "RTCSOUND_ODCONFIG_FILE", odConfig.toString()),
                namespace.prefix());
        chromium = Chromium.launch(Chromium.FLAGS,
                namespace.wrapper(parts.work().resolve("bin"), Requirements.which("chromium")));
    }

    @AfterAll
    static void stop() {
        if (chromium != null) {
            chromium.close();
        }
        if (server != null) {
            server.close();
        }
        if (coturn != null) {
            coturn.close();
        }
        if (namespace != null) {
            namespace.close();
        }
    }

    @Test
    void withRelayOnlyThePageHearsTheToneThroughCoturn() {
        Path tone = Tones.sine(parts.work().resolve("relay-tone.wav"), 523, 20, 0.5);
        Process paplay = parts.pulse().play(tone, "virtspk");
        try (Chromium.Tab tab = chromium.open(server.httpsUri("/?uid=relay"))) {
            PageAudio.awaitState(tab, "available", 20_000);
            PageAudio.awaitPackets(tab, 5000);
            PageAudio.Heard heard = PageAudio.listen(tab.page(), 1000);
            assertTrue(Math.abs(heard.peakHz() - 523) <= 2 * heard.binHz(), "heard " + heard);
            String pair = PageAudio.selectedPair(tab.page());
            assertTrue(pair.startsWith("relay/"), "the selected pair's local candidate is a relay: " + pair);
        } finally {
            paplay.destroy();
        }
    }
}
