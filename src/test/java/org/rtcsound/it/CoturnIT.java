package org.rtcsound.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.rtcsound.ice.TurnCredential;
import org.rtcsound.testing.Coturn;
import org.rtcsound.testing.SignallingClient;
import org.rtcsound.testing.Suite;
import org.rtcsound.testing.TurnAllocation;

/**
 * TURN with a real coturn on loopback, run with use-auth-secret as the seed configures it:
 * the credentials rtcsound hands out are granted an allocation; expired ones, ones for
 * another username and ones made with another secret are refused; the secret appears in
 * no answer and no log; webrtcbin itself allocates a relay with its own credential.
 */
@ExtendWith(Suite.class)
class CoturnIT {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String SECRET = "it-secret-" + Long.toHexString(new SecureRandom().nextLong());
    private static final int PORT = 34780;

    private static Coturn coturn;
    private final Suite.Parts parts;

    CoturnIT(Suite.Parts parts) {
        this.parts = parts;
    }

    @BeforeAll
    static void startCoturn() {
        coturn = Coturn.start(Suite.work().resolve("coturn"), SECRET, "127.0.0.1", PORT);
    }

    @AfterAll
    static void stopCoturn() {
        if (coturn != null) {
            coturn.close();
        }
    }

    @AfterEach
    void restore() {
        Suite.restoreOdConfig();
        parts.liberty().awaitConfig(c -> !c.getJsonObject("values").containsKey("webrtc.coturn"), WAIT);
    }

    private void configureCoturn(String entry) {
        Suite.editOdConfig(sample -> sample + "\nwebrtc.coturn : " + entry + "\n");
        parts.liberty().awaitConfig(c -> c.getJsonObject("values").containsKey("webrtc.coturn"), WAIT);
    }

    private void configureCoturn(int ttl) {
        configureCoturn("{ 'coturn_static_auth_secret': '" + SECRET + "', 'ttl': " + ttl
                + ", 'protocol': 'turn', 'url': '" + coturn.url() + "' }");
    }

    private JsonObject pyosRtcConfiguration() {
        String body = parts.liberty().postJson("/API/webrtc/coturn_rtcconfiguration", "{}").body();
        assertFalse(body.contains(SECRET), "the secret never leaves the server: " + body);
        return Json.createReader(new StringReader(body)).readObject();
    }

    @Test
    void theServersCredentialIsGrantedAnAllocationAndHonoursTheTtl() throws IOException {
        configureCoturn(600);
        long now = Instant.now().getEpochSecond();
        JsonObject reply = pyosRtcConfiguration();
        assertEquals(200, reply.getInt("status"));
        JsonArray servers = reply.getJsonObject("result").getJsonArray("iceServers");
        JsonObject turn = servers.getJsonObject(servers.size() - 1);
        assertEquals("turn:" + coturn.url(), turn.getString("urls"));
        // coturn's REST username: "<expiry>:<user>", bound to the token's user
        String[] username = turn.getString("username").split(":", 2);
        assertEquals("test-admin", username[1], turn.getString("username"));
        long expiry = Long.parseLong(username[0]);
        assertTrue(Math.abs(expiry - (now + 600)) <= 5, "expiry " + expiry + " should be now + ttl (" + (now + 600) + ")");
        assertEquals(200, TurnAllocation.allocate(coturn.address(), turn.getString("username"),
                turn.getString("credential")));

        String own = parts.liberty().get("/API/rtcsound/rtc-configuration").body();
        assertFalse(own.contains(SECRET), own);
        JsonArray ownServers = Json.createReader(new StringReader(own)).readObject().getJsonArray("iceServers");
        JsonObject ownTurn = ownServers.getJsonObject(ownServers.size() - 1);
        assertEquals(200, TurnAllocation.allocate(coturn.address(), ownTurn.getString("username"),
                ownTurn.getString("credential")));
    }

    @Test
    void expiredForeignAndWronglySignedCredentialsAreRefused() throws IOException {
        Instant later = Instant.now().plusSeconds(300);
        TurnCredential valid = TurnCredential.issue(SECRET, "alice", later);
        assertEquals(200, TurnAllocation.allocate(coturn.address(), valid.username(), valid.credential()));

        TurnCredential expired = TurnCredential.issue(SECRET, "alice", Instant.now().minusSeconds(60));
        assertEquals(401, TurnAllocation.allocate(coturn.address(), expired.username(), expired.credential()));

        TurnCredential bob = TurnCredential.issue(SECRET, "bob", later);
        assertEquals(401, TurnAllocation.allocate(coturn.address(), bob.username(), valid.credential()));

        TurnCredential otherSecret = TurnCredential.issue("not-" + SECRET, "alice", later);
        assertEquals(401, TurnAllocation.allocate(coturn.address(), otherSecret.username(), otherSecret.credential()));
    }

    @Test
    void anIncompleteCoturnEntryIsAClearErrorAndStunOnlyWorksWithoutOne() {
        JsonObject stunOnly = pyosRtcConfiguration();
        assertEquals("{\"iceServers\":[]}", stunOnly.getJsonObject("result").toString());

        configureCoturn("{ 'coturn_static_auth_secret': '" + SECRET + "', 'ttl': 60, 'protocol': 'turn' }");
        JsonObject reply = pyosRtcConfiguration();
        assertEquals(500, reply.getInt("status"));
        assertEquals("setting 'webrtc.coturn' lacks the field 'url'", reply.getString("message"));
        String own = parts.liberty().get("/API/rtcsound/rtc-configuration").body();
        assertEquals("{\"error\":\"setting 'webrtc.coturn' lacks the field 'url'\"}", own);
    }

    @Test
    void webrtcbinAllocatesARelayWithItsOwnCredentialAndTheSecretStaysOutOfTheLog() {
        configureCoturn(600);
        try (SignallingClient client = parts.liberty().signalling("relay-user")) {
            client.send("HELLO relay-user");
            String relay = client.nextMatching(f -> f.startsWith("{\"ice\"") && f.contains("typ relay"), WAIT);
            assertTrue(relay.contains("127.0.0.1"), relay);
        }
        String log = parts.liberty().messagesLog();
        assertFalse(log.contains(SECRET), "the TURN secret is in the server's log");
    }
}
