package org.rtcsound.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;

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
import org.rtcsound.testing.Sleep;
import org.rtcsound.testing.Suite;
import org.rtcsound.testing.TestCertificateAuthority;
import org.rtcsound.testing.TestTokens;
import org.rtcsound.testing.Tones;

/**
 * TURN over TLS as the seed sets it up (od.config's webrtc.coturn with protocol 'turns',
 * coturn's tls-listening-port with cert and pkey), in a network where nothing passes but TCP
 * to coturn's TLS port and to rtcsound's https port: Chromium and rtcsound run in a network
 * namespace of the test's own whose iptables drop every UDP packet and every other TCP
 * connection; coturn runs outside it, on this host's end of the link, as a TURN server on
 * another network would. coturn's certificate comes from a test CA that nothing trusts; this
 * test's Chromium is told to accept that one certificate's key (a Chromium that is not
 * gathers no relay: Chromium verifies TURN certificates).
 */
@ExtendWith(Suite.class)
class TurnTlsIT {

    private static final String TURN_HOST = "10.254.2.1";
    private static final String INSIDE = "10.254.2.2";
    private static final int TLS_PORT = 5349;
    private static final int HTTP_PORT = 19280;
    private static final int HTTPS_PORT = 19643;

    private static NetworkNamespace namespace;
    private static Coturn coturn;
    private static LibertyServer server;
    private static Chromium chromium;
    private static TestCertificateAuthority.Issued certificate;
    private static String secret;
    private final Suite.Parts parts;

    TurnTlsIT(Suite.Parts parts) {
        this.parts = parts;
    }

    @BeforeAll
    static void start(Suite.Parts parts) throws IOException {
        Path work = parts.work().resolve("turntls");
        namespace = NetworkNamespace.create("rtcs-turntls", TURN_HOST, INSIDE);
        TestCertificateAuthority authority = TestCertificateAuthority.create("rtcsound TurnTlsIT CA");
        certificate = authority.issueForAddress(work, "turn", TURN_HOST);
        Path authorityFile = authority.write(work.resolve("turn-ca.pem"));
        secret = "turntls-" + Long.toHexString(new SecureRandom().nextLong());
        coturn = Coturn.startTls(work.resolve("coturn"), secret, TURN_HOST, 3478, TLS_PORT, certificate);
        Path odConfig = Files.writeString(work.resolve("od.config"), String.join("\n", "[global]",
                "webrtc.enable : True",
                "webrtc.rtc_configuration : { 'iceServers': [], 'iceTransportPolicy': 'relay' }",
                "webrtc.coturn : { 'coturn_static_auth_secret': '" + secret + "', 'ttl': 600,",
                "    'protocol': 'turns', 'url': '" + TURN_HOST + ":" + TLS_PORT + "' }", ""));
        server = LibertyServer.start(Path.of(System.getProperty("rtcsound.it.wlp", "target/liberty/wlp")),
                "rtcsound-relay", INSIDE, HTTP_PORT, HTTPS_PORT,
                Map.of("PULSE_SERVER", parts.pulse().server(), "RTCSOUND_ODCONFIG_FILE", odConfig.toString(),
                        // rtcsound's own TLS leg to coturn checks coturn's certificate against the test's CA
                        "RTCSOUND_TURN_CA_FILE", authorityFile.toString()),
                namespace.prefix());
        // Loopback inside the server's host is not the network: rtcsound's TURN TLS tunnel is there.
        namespace.exec("iptables", "-A", "INPUT", "-i", "lo", "-j", "ACCEPT");
        namespace.exec("iptables", "-A", "OUTPUT", "-o", "lo", "-j", "ACCEPT");
        namespace.allowOnlyTcpTo(List.of(new InetSocketAddress(TURN_HOST, TLS_PORT),
                new InetSocketAddress(INSIDE, HTTPS_PORT)));
        List<String> flags = new ArrayList<>(Chromium.FLAGS);
        flags.add("--ignore-certificate-errors-spki-list=" + certificate.spkiSha256());
        chromium = Chromium.launch(flags, namespace.wrapper(parts.work().resolve("bin"), Requirements.which("chromium")));
    }

    @AfterAll
    static void stop() {
        if (namespace != null) {
            namespace.allowAll();
        }
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
    void thePageHearsTheToneWithBothSidesRelayingThroughCoturnsTlsPort() {
        Path tone = Tones.sine(parts.work().resolve("turntls-tone.wav"), 523, 20, 0.5);
        Process paplay = parts.pulse().play(tone, "virtspk");
        try (Chromium.Tab tab = chromium.open(server.httpsUri("/#jwt_token=" + TestTokens.user("turntls")))) {
            PageAudio.assertHears(tab, 523);
            String pair = selectedPair(tab);
            assertEquals("relay/tls -> relay", pair,
                    "the page's selected pair: its own relay over TLS to the server's relay\n" + namespace.firewall());
            assertEquals("relay", serverPath(tab), "the server's selected pair");
            String log = coturn.log();
            // Both sides' allocations over TLS: the browser's, and webrtcbin's through rtcsound's
            // TURN TLS tunnel (libnice 0.1.21 has no TLS client of its own: README, "TURN over TLS").
            long overTls = Pattern.compile("session \\d+: new, .*:turntls>.*cipher=\\S+, method=TLSv1\\.[23]")
                    .matcher(log).results().count();
            assertTrue(overTls >= 2, "coturn granted both the browser and webrtcbin an allocation over TLS\n"
                    + sessions(log));
            assertFalse(Pattern.compile("(?m)session \\d+: new, .*:turntls>, lifetime=\\d+$").matcher(log).find(),
                    "no allocation over plain TCP\n" + sessions(log));
        } finally {
            paplay.destroy();
        }
    }

    @Test
    void chromiumGathersATlsRelayOnlyWithTheCertificatesKeyTrusted() {
        try (Chromium.Tab trusting = chromium.open(server.httpsUri("/API/rtcsound/rtc-configuration"));
                Chromium untrusting = Chromium.launch(Chromium.FLAGS,
                        namespace.wrapper(parts.work().resolve("bin"), Requirements.which("chromium")));
                Chromium.Tab stranger = untrusting.open(server.httpsUri("/API/rtcsound/rtc-configuration"))) {
            assertEquals("relay/tls", relayCandidates(trusting), "the test's Chromium, trusting coturn's key");
            assertEquals("", relayCandidates(stranger), "a Chromium that does not trust the test's CA");
        }
    }

    /**
     * The candidates a peer connection of this origin gathers with rtcsound's rtc_configuration
     * (coturn's turns: URL, relay only), as type/relayProtocol, once gathering completes.
     */
    private static String relayCandidates(Chromium.Tab tab) {
        return (String) tab.evaluate("""
                async (token) => {
                  const answer = await fetch('/API/rtcsound/rtc-configuration',
                      { headers: { Authorization: 'Bearer ' + token } });
                  const pc = new RTCPeerConnection(await answer.json());
                  const found = [];
                  const complete = new Promise(resolve => {
                    pc.onicecandidate = event => event.candidate ? found.push(event.candidate) : resolve();
                    setTimeout(resolve, 20000);
                  });
                  pc.createDataChannel('probe');
                  await pc.setLocalDescription(await pc.createOffer());
                  await complete;
                  pc.close();
                  return found.map(c => c.type + '/' + c.relayProtocol).join(' ');
                }""", TestTokens.user("turntls-probe"));
    }

    /** Local candidate type/relay protocol -> remote candidate type, of the page's selected pair. */
    private static String selectedPair(Chromium.Tab tab) {
        Map<String, String> c = PageAudio.selectedCandidates(tab);
        return c.isEmpty() ? "none" : c.get("localType") + "/" + c.get("relayProtocol") + " -> " + c.get("remoteType");
    }

    /**
     * The call's network path as the server's get-stats reports it (GET /API/admin/calls, asked
     * by the page: nothing but https reaches the server), once it has one.
     */
    private static String serverPath(Chromium.Tab tab) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        String last = "no call";
        while (System.nanoTime() < deadline) {
            String body = (String) tab.evaluate("""
                    async (token) => {
                      const answer = await fetch('/API/admin/calls', { headers: { Authorization: 'Bearer ' + token } });
                      return answer.status + ' ' + await answer.text();
                    }""", TestTokens.admin());
            assertTrue(body.startsWith("200 "), body);
            JsonArray calls = Json.createReader(new StringReader(body.substring(4))).readArray();
            if (!calls.isEmpty()) {
                JsonObject network = calls.getJsonObject(0).getJsonObject("network");
                last = calls.toString();
                if (network != null && !network.isNull("path")) {
                    return network.getString("path");
                }
            }
            Sleep.millis(250);
        }
        throw new AssertionError("no path in 10 s: " + last);
    }

    private static String sessions(String log) {
        StringBuilder lines = new StringBuilder();
        Matcher matcher = Pattern.compile("(?m)^.*session \\d+: (new|closed).*$").matcher(log);
        while (matcher.find()) {
            lines.append(matcher.group()).append('\n');
        }
        return lines.toString();
    }
}
