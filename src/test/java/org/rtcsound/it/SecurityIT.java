package org.rtcsound.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

import jakarta.json.Json;
import jakarta.json.JsonObject;

import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.NumericDate;
import org.jose4j.keys.HmacKey;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.rtcsound.testing.Chromium;
import org.rtcsound.testing.ChromiumPerClass;
import org.rtcsound.testing.LibertyServer;
import org.rtcsound.testing.PageAudio;
import org.rtcsound.testing.PulseAudioDaemon;
import org.rtcsound.testing.SignallingClient;
import org.rtcsound.testing.Sleep;
import org.rtcsound.testing.Suite;
import org.rtcsound.testing.TestTokens;

/**
 * Only the desktop's owner reaches it: every refusal (no token, malformed, wrong signature,
 * wrong algorithm, expired, not yet valid, another user's desktop, no desktop, admin API
 * without the role, limits) answers with its status or close code, and no pipeline is built
 * for a refused caller; a HELLO naming another user releases the call its token prepared.
 */
@ExtendWith({Suite.class, ChromiumPerClass.class})
class SecurityIT {

    private static final Duration WAIT = Duration.ofSeconds(10);
    /** The desktop an abcdesktop token names by address, with a PulseAudio on TCP. */
    private static final int DESKTOP_PORT = 14723;
    private static PulseAudioDaemon desktop;

    private final Suite.Parts parts;
    private final LibertyServer server;
    private final Chromium chromium;

    SecurityIT(Suite.Parts parts, Chromium chromium) {
        this.parts = parts;
        this.server = parts.liberty();
        this.chromium = chromium;
    }

    @BeforeAll
    static void startDesktop() {
        desktop = PulseAudioDaemon.startWithTcp(Suite.work().resolve("security-desktop"), DESKTOP_PORT, "127.0.0.1");
    }

    @AfterAll
    static void stopDesktop() {
        if (desktop != null) {
            desktop.close();
        }
    }

    @AfterEach
    void restore() {
        Suite.restoreOdConfig();
        server.awaitConfig(c -> c.isNull("lastRefusal") && !c.getJsonObject("values").containsKey("rtcsound.pulse.port")
                && !c.getJsonObject("values").containsKey("jwt_token_desktop")
                && !c.getJsonObject("values").containsKey("rtcsound.desktops")
                && !c.getJsonObject("values").containsKey("webrtc.coturn")
                && value(c, "rtcsound.limits.sessions").equals("1000")
                && value(c, "rtcsound.limits.new-sessions-per-client-per-minute").equals("100000")
                && value(c, "rtcsound.security.demo-sign-in").equals("true")
                && value(c, "rtcsound.jwt.clock-skew-seconds").equals("(none)"), WAIT);
        server.awaitIdle(WAIT);
    }

    /** An od.config value as the admin view shows it, as text; "(none)" when absent. */
    private static String value(JsonObject config, String key) {
        jakarta.json.JsonValue value = config.getJsonObject("values").get(key);
        if (value == null) {
            return "(none)";
        }
        return value instanceof jakarta.json.JsonString text ? text.getString() : value.toString();
    }

    private void editAndAwait(java.util.function.UnaryOperator<String> edit, String key, String expected) {
        Suite.editOdConfig(edit);
        server.awaitConfig(c -> value(c, key).equals(expected), WAIT);
    }

    /** Every way a token can be wrong, with the reason the server gives. */
    private record BadToken(String name, Supplier<String> token, String reason) {
    }

    private static List<BadToken> badTokens() {
        long now = NumericDate.now().getValue();
        KeyPair signing = TestTokens.SIGNING;
        return List.of(
                new BadToken("malformed", () -> "not.a-token", "malformed token"),
                new BadToken("wrong signature", () -> TestTokens.sign(TestTokens.STRANGER,
                        AlgorithmIdentifiers.RSA_USING_SHA256, c -> c.setSubject("alice")),
                        "token signature does not verify"),
                new BadToken("alg none", () -> TestTokens.unsigned("alice"), "token algorithm must be RS256, not none"),
                new BadToken("HS256 signed with the public key", () -> TestTokens.sign(
                        new HmacKey(signing.getPublic().getEncoded()), AlgorithmIdentifiers.HMAC_SHA256,
                        c -> c.setSubject("alice")), "token algorithm must be RS256, not HS256"),
                new BadToken("expired", () -> TestTokens.sign(c -> {
                    c.setSubject("alice");
                    c.setExpirationTime(NumericDate.fromSeconds(now - 600));
                }), "token expired"),
                new BadToken("not yet valid (nbf)", () -> TestTokens.sign(c -> {
                    c.setSubject("alice");
                    c.setNotBefore(NumericDate.fromSeconds(now + 600));
                    c.setExpirationTime(NumericDate.fromSeconds(now + 3600));
                }), "token not yet valid"),
                new BadToken("not yet valid (abcdesktop's nfb)", () -> TestTokens.sign(c -> {
                    c.setClaim("nfb", now + 600);
                    c.setExpirationTime(NumericDate.fromSeconds(now + 3600));
                    c.setClaim("hash", TestTokens.encrypt("127.0.0.1"));
                }), "token not yet valid"),
                new BadToken("no expiry", () -> TestTokens.sign(c -> {
                    c.setSubject("alice");
                    c.unsetClaim("exp");
                }), "token has no expiry (exp)"),
                new BadToken("for no one", () -> TestTokens.sign(c -> c.setClaim("scope", "x")),
                        "token names neither a user (sub) nor a desktop"));
    }

    private long listenersCreated() {
        return server.status().getJsonNumber("listenersCreated").longValue();
    }

    private HttpResponse<String> post(String path, String header, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.httpUri(path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}"));
        if (token != null) {
            request.header(header, "Bearer " + token);
        }
        return server.send(request.build());
    }

    private HttpResponse<String> get(String path, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.httpUri(path)).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return server.send(request.build());
    }

    private static String message(HttpResponse<String> response) {
        return Json.createReader(new StringReader(response.body())).readObject().getString("message");
    }

    @Test
    void everyRestResourceButHealthAndThePagesOwnNeedAToken() {
        for (String path : List.of("/API/webrtc/coturn_rtcconfiguration", "/API/core/getkeyinfo")) {
            HttpResponse<String> refused = post(path, "Authorization", null);
            assertEquals(401, refused.statusCode(), path);
            assertEquals("no token", message(refused));
            assertEquals("Bearer error=\"invalid_token\"", refused.headers().firstValue("WWW-Authenticate").orElse(""));
        }
        assertEquals(401, get("/API/rtcsound/rtc-configuration", null).statusCode());
        assertEquals(401, get("/API/admin/status", null).statusCode());
        assertEquals(200, get("/health/ready", null).statusCode());
        assertEquals(200, get("/API/rtcsound/page-info", null).statusCode());
        // abcdesktop's client sends its token in ABCAuthorization
        HttpResponse<String> pyos = post("/API/webrtc/coturn_rtcconfiguration", "ABCAuthorization", TestTokens.user("alice"));
        assertEquals(200, pyos.statusCode(), pyos.body());
        assertEquals(200, post("/API/webrtc/coturn_rtcconfiguration", "Authorization", TestTokens.user("alice"))
                .statusCode());
    }

    @Test
    void everyBadTokenIsRefusedOverRestAndSignallingAndNoPipelineIsBuilt() {
        long created = listenersCreated();
        for (BadToken bad : badTokens()) {
            String token = bad.token().get();
            HttpResponse<String> rest = post("/API/webrtc/coturn_rtcconfiguration", "Authorization", token);
            assertEquals(401, rest.statusCode(), bad.name());
            assertEquals(bad.reason(), message(rest), bad.name());

            try (SignallingClient client = SignallingClient.connect(server.wsUri("/signalling"), token)) {
                assertEquals("ERROR token refused: " + bad.reason(), client.next(WAIT), bad.name());
                assertEquals(1008, client.awaitClose(WAIT).code(), bad.name());
            }
            try (SignallingClient client = SignallingClient.connect(server.wsUri("/signalling"))) {
                client.send("TOKEN " + token); // the refusal closes the socket: nothing may follow
                assertEquals("ERROR token refused: " + bad.reason(), client.next(WAIT), bad.name());
                assertEquals(1008, client.awaitClose(WAIT).code(), bad.name());
            }
        }
        assertEquals(created, listenersCreated(), "a refused caller never becomes a listener");
    }

    @Test
    void withoutATokenSignallingAnswersOnlyThatOneIsNeeded() {
        long created = listenersCreated();
        try (SignallingClient client = SignallingClient.connect(server.wsUri("/signalling"))) {
            client.send("HELLO alice");
            assertTrue(client.next(WAIT).startsWith("ERROR authentication required: send the token first"));
            assertEquals(1008, client.awaitClose(WAIT).code());
        }
        assertEquals(created, listenersCreated());
    }

    @Test
    void theTokenIsAcceptedInTheSubprotocolTheQueryOrTheFirstMessage() {
        String token = TestTokens.user("alice");
        try (SignallingClient header = SignallingClient.connect(server.wsUri("/signalling"), token)) {
            assertEquals("rtcsound", header.subprotocol(), "the server never echoes the token");
            header.send("HELLO alice");
            assertEquals("HELLO", header.next(WAIT));
        }
        try (SignallingClient query = SignallingClient.connect(server.wsUri("/signalling?jwt_token=" + token))) {
            query.send("HELLO alice");
            assertEquals("HELLO", query.next(WAIT));
        }
        try (SignallingClient first = SignallingClient.connect(server.wsUri("/signalling"))) {
            first.send("TOKEN " + token).send("HELLO alice");
            assertEquals("HELLO", first.next(WAIT));
            first.send("TOKEN " + token);
            assertEquals("ERROR this connection is already authenticated",
                    first.nextMatching(f -> f.startsWith("ERROR"), WAIT));
        }
    }

    /**
     * The call a signed-in socket prepares before its HELLO is the token's own desktop's: the
     * HELLO's uid is checked against the token, and one that names another user is refused and
     * releases that call (it never reaches another user's desktop: the uid chooses none).
     */
    @Test
    void aHelloForAnotherUserIsRefusedAndReleasesTheCallPreparedAtSignIn() {
        assertEquals(0, server.status().getInt("listeners"));
        try (SignallingClient bob = server.signalling("bob")) {
            assertEquals(1, server.awaitStatusAtLeast("listeners", 1), "bob's call is prepared as his socket opens");
            bob.send("HELLO alice");
            assertEquals("ERROR HELLO alice does not match the token's user", bob.next(WAIT));
            assertEquals(1008, bob.awaitClose(WAIT).code());
        }
        assertEquals(0, server.awaitStatusAtMost("listeners", 0), "the refusal released the prepared call");
    }

    @Test
    void aUserWithoutADesktopIsRefusedAndBuildsNothing() {
        Suite.editOdConfig(sample -> sample + "\nrtcsound.desktops : { 'alice': 'tcp:127.0.0.1:" + DESKTOP_PORT + "' }\n");
        server.awaitConfig(c -> c.getJsonObject("values").containsKey("rtcsound.desktops"), WAIT);
        long created = listenersCreated();
        try (SignallingClient mallory = server.signalling("mallory")) {
            mallory.send("HELLO mallory");
            assertEquals("ERROR no desktop is running for user 'mallory'", mallory.next(WAIT));
            assertEquals(1011, mallory.awaitClose(WAIT).code());
        }
        assertEquals(created, listenersCreated());
    }

    @Test
    void abcdesktopsDesktopTokenReachesTheDesktopItsHashNames() {
        editAndAwait(sample -> sample + "\nrtcsound.pulse.port : " + DESKTOP_PORT + "\n", "rtcsound.pulse.port",
                Integer.toString(DESKTOP_PORT));
        // the uid is only a label: abcdesktop's token names no user
        try (SignallingClient client = SignallingClient.connect(
                server.wsUri("/signalling?jwt_token=" + TestTokens.abcdesktop("127.0.0.1")))) {
            client.send("HELLO anything");
            assertEquals("HELLO", client.next(WAIT));
            client.nextMatching(f -> f.startsWith("{\"sdp\""), WAIT);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!desktop.pactl("list", "source-outputs").contains("rtcsound")) {
                assertTrue(System.nanoTime() < deadline, "the call never reached the desktop the token names");
                Sleep.millis(50);
            }
        }
    }

    @Test
    void theAdminApiNeedsTheAdminGroup() {
        HttpResponse<String> user = get("/API/admin/status", TestTokens.user("alice"));
        assertEquals(403, user.statusCode());
        assertEquals("the admin API needs a token with the group 'admin'", message(user));
        assertEquals(403, get("/API/admin/config", TestTokens.user("alice")).statusCode());
        assertEquals(200, get("/API/admin/status", TestTokens.admin()).statusCode());
    }

    @Test
    void aTokenThatExpiresDuringASessionDoesNotCutItButANewSessionNeedsAValidOne() {
        editAndAwait(sample -> sample + "\nrtcsound.jwt.clock-skew-seconds : 0\n", "rtcsound.jwt.clock-skew-seconds", "0");
        long expiry = NumericDate.now().getValue() + 3;
        String shortLived = TestTokens.sign(c -> {
            c.setSubject("alice");
            c.setExpirationTime(NumericDate.fromSeconds(expiry));
        });
        try (SignallingClient client = SignallingClient.connect(server.wsUri("/signalling"), shortLived)) {
            client.send("HELLO alice");
            assertEquals("HELLO", client.next(WAIT));
            client.nextMatching(f -> f.startsWith("{\"sdp\""), WAIT);
            while (NumericDate.now().getValue() <= expiry + 1) {
                Sleep.millis(200);
            }
            client.send("HELLO alice");
            assertEquals("ERROR HELLO was already received on this connection",
                    client.nextMatching(f -> f.startsWith("ERROR"), WAIT));
            assertFalse(client.isClosed());
            assertEquals(1, server.status().getInt("listeners"));
            try (SignallingClient again = SignallingClient.connect(server.wsUri("/signalling"), shortLived)) {
                assertEquals("ERROR token refused: token expired", again.next(WAIT));
                assertEquals(1008, again.awaitClose(WAIT).code());
            }
        }
    }

    @Test
    void theSigningKeyNamedInOdConfigIsReadAgainWhenItsFileIsReplaced() throws Exception {
        KeyPair next = java.security.KeyPairGenerator.getInstance("RSA").generateKeyPair();
        Path file = TestTokens.write("rotating-public.pem", TestTokens.STRANGER.getPublic());
        Suite.editOdConfig(sample -> sample + "\njwt_token_desktop : { 'exp': 240, 'jwtdesktoppublickeyfile': '"
                + file + "' }\n");
        server.awaitConfig(c -> c.getJsonObject("values").containsKey("jwt_token_desktop"), WAIT);
        String byStranger = TestTokens.sign(TestTokens.STRANGER, AlgorithmIdentifiers.RSA_USING_SHA256,
                c -> c.setSubject("alice"));
        String byNext = TestTokens.sign(next, AlgorithmIdentifiers.RSA_USING_SHA256, c -> c.setSubject("alice"));
        assertEquals(200, get("/API/rtcsound/rtc-configuration", byStranger).statusCode());
        assertEquals(401, get("/API/rtcsound/rtc-configuration", byNext).statusCode());

        Sleep.millis(1100); // a new modification time, even on file systems with 1 s resolution
        TestTokens.write("rotating-public.pem", next.getPublic());
        assertEquals(200, get("/API/rtcsound/rtc-configuration", byNext).statusCode());
        assertEquals(401, get("/API/rtcsound/rtc-configuration", byStranger).statusCode());
    }

    @Test
    void withoutAKeyToCheckTokensWithTheServerIsNotReadyAndSaysWhy() throws Exception {
        editAndAwait(sample -> sample.replace("rtcsound.security.demo-sign-in : True",
                "rtcsound.security.demo-sign-in : False"), "rtcsound.security.demo-sign-in", "false");
        assertEquals(200, get("/health/ready", null).statusCode(), "ready with the issuer's key alone");
        Path key = TestTokens.signingPublicKeyFile();
        Path aside = key.resolveSibling(key.getFileName() + ".aside");
        Files.move(key, aside);
        try {
            HttpResponse<String> notReady = get("/health/ready", null);
            assertEquals(503, notReady.statusCode());
            assertTrue(notReady.body().contains("no key to check tokens with, so every user would be refused: set"
                    + " rtcsound.jwt.public-key-file"), notReady.body());
        } finally {
            Files.move(aside, key);
        }
        assertEquals(200, get("/health/ready", null).statusCode());
        String log = server.messagesLog();
        assertTrue(log.contains("rtcsound is not ready: no key to check tokens with"), "said in the log");
        assertTrue(log.contains("rtcsound is ready: the configuration problem is solved"), "and when it is solved");
    }

    @Test
    void theDemoSignInServesThisMachineOnlyWhenTurnedOn() {
        HttpResponse<String> on = post("/API/rtcsound/demo-sign-in", "X-None", null);
        assertEquals(400, on.statusCode(), "a user is required");
        HttpResponse<String> signedIn = server.send(HttpRequest.newBuilder(server.httpUri("/API/rtcsound/demo-sign-in"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"user\":\"alice\"}")).build());
        assertEquals(200, signedIn.statusCode(), signedIn.body());
        String token = Json.createReader(new StringReader(signedIn.body())).readObject().getString("token");
        assertEquals(200, get("/API/rtcsound/rtc-configuration", token).statusCode());
        assertEquals(403, get("/API/admin/status", token).statusCode(), "a demo token is no admin's unless asked");
        HttpResponse<String> operator = server.send(HttpRequest.newBuilder(server.httpUri("/API/rtcsound/demo-sign-in"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"user\":\"operator\",\"admin\":true}")).build());
        assertEquals(200, operator.statusCode(), operator.body());
        String adminToken = Json.createReader(new StringReader(operator.body())).readObject().getString("token");
        assertEquals(200, get("/API/admin/status", adminToken).statusCode(), "the operator page's demo sign-in");

        editAndAwait(sample -> sample.replace("rtcsound.security.demo-sign-in : True",
                "rtcsound.security.demo-sign-in : False"), "rtcsound.security.demo-sign-in", "false");
        assertFalse(Json.createReader(new StringReader(get("/API/rtcsound/page-info", null).body())).readObject()
                .getBoolean("demoSignIn"));
        assertEquals(404, server.send(HttpRequest.newBuilder(server.httpUri("/API/rtcsound/demo-sign-in"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"user\":\"alice\"}")).build()).statusCode());
        assertEquals(401, get("/API/rtcsound/rtc-configuration", token).statusCode(),
                "with the demo off, its key is no longer trusted");
        assertEquals(401, get("/API/admin/status", adminToken).statusCode());
    }

    @Test
    void perUserAndTotalSessionLimitsRefuseClearlyAndOthersCarryOn() {
        editAndAwait(sample -> sample.replace("rtcsound.limits.sessions-per-user : 1000",
                "rtcsound.limits.sessions-per-user : 2").replace("rtcsound.limits.sessions : 1000",
                        "rtcsound.limits.sessions : 3"), "rtcsound.limits.sessions", "3");
        List<SignallingClient> open = new ArrayList<>();
        try {
            for (String user : List.of("alice", "alice", "bob")) {
                SignallingClient client = server.signalling(user);
                open.add(client);
                client.send("HELLO " + user);
                assertEquals("HELLO", client.next(WAIT));
                client.nextMatching(f -> f.startsWith("{\"sdp\""), WAIT); // its pipeline exists
            }
            long created = listenersCreated();
            try (SignallingClient third = server.signalling("alice")) {
                third.send("HELLO alice");
                assertEquals("ERROR you already have 2 sessions open (the limit is 2); close one first", third.next(WAIT));
                assertEquals(1013, third.awaitClose(WAIT).code());
            }
            try (SignallingClient carol = server.signalling("carol")) {
                carol.send("HELLO carol");
                assertEquals("ERROR this server is at its limit of 3 sessions; try again later", carol.next(WAIT));
                assertEquals(1013, carol.awaitClose(WAIT).code());
            }
            assertEquals(created, listenersCreated());
            for (SignallingClient client : open) {
                client.send("HELLO again");
                assertTrue(client.nextMatching(f -> f.startsWith("ERROR"), WAIT).startsWith("ERROR HELLO was already"));
                assertFalse(client.isClosed());
            }
            open.remove(0).close();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (server.status().getInt("sessions") > 2) {
                assertTrue(System.nanoTime() < deadline);
                Sleep.millis(50);
            }
            try (SignallingClient carol = server.signalling("carol")) {
                carol.send("HELLO carol");
                assertEquals("HELLO", carol.next(WAIT), "a place freed is a place taken");
            }
        } finally {
            open.forEach(SignallingClient::close);
        }
    }

    /** Once a converter's exception that reached the endpoint's catch-all: "ERROR internal error" and no close. */
    @Test
    void aLimitThatIsNoNumberIsRefusedNamingTheSettingAndBuildsNothing() {
        editAndAwait(sample -> sample.replace("rtcsound.limits.sessions-per-user : 1000",
                "rtcsound.limits.sessions-per-user : 'abc'"), "rtcsound.limits.sessions-per-user", "abc");
        long created = listenersCreated();
        try (SignallingClient alice = server.signalling("alice")) {
            alice.send("HELLO alice");
            assertEquals("ERROR setting 'rtcsound.limits.sessions-per-user' must be a whole number, got 'abc'",
                    alice.next(WAIT));
            assertEquals(1011, alice.awaitClose(WAIT).code());
        }
        assertEquals(created, listenersCreated());
    }

    @Test
    void aClientOpeningConnectionsTooFastGets429AndRunningCallsCarryOn() {
        try (SignallingClient running = server.signalling("steady")) {
            running.send("HELLO steady");
            running.nextMatching(f -> f.startsWith("{\"sdp\""), WAIT);
            editAndAwait(sample -> sample.replace("rtcsound.limits.new-sessions-per-client-per-minute : 100000",
                    "rtcsound.limits.new-sessions-per-client-per-minute : 5"),
                    "rtcsound.limits.new-sessions-per-client-per-minute", "5");
            int admitted = 0;
            Integer refusedWith = null;
            for (int i = 0; i < 10 && refusedWith == null; i++) {
                try (SignallingClient client = SignallingClient.connect(server.wsUri("/signalling"))) {
                    admitted++;
                } catch (CompletionException e) {
                    if (e.getCause() instanceof WebSocketHandshakeException handshake) {
                        refusedWith = handshake.getResponse().statusCode();
                    } else {
                        throw e;
                    }
                }
            }
            assertEquals(Integer.valueOf(429), refusedWith);
            assertTrue(admitted <= 5, admitted + " admitted");
            running.send("HELLO again");
            assertTrue(running.nextMatching(f -> f.startsWith("ERROR"), WAIT).startsWith("ERROR HELLO was already"));
            assertFalse(running.isClosed());
        }
    }

    @Test
    void pagesCarryAContentSecurityPolicyAndHttpsAnswersCarryHsts() throws Exception {
        HttpResponse<String> plain = get("/", null);
        assertTrue(plain.headers().firstValue("Content-Security-Policy").orElse("").contains("script-src 'self'"));
        assertTrue(plain.headers().firstValue("Strict-Transport-Security").isEmpty(), "no HSTS over plain http");
        javax.net.ssl.SSLContext trustAll = javax.net.ssl.SSLContext.getInstance("TLS");
        trustAll.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
            @Override
            public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String type) {
            }

            @Override
            public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String type) {
            }

            @Override
            public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                return new java.security.cert.X509Certificate[0];
            }
        } }, null);
        HttpResponse<String> secure = java.net.http.HttpClient.newBuilder().sslContext(trustAll).build()
                .send(HttpRequest.newBuilder(URI.create(server.httpsUri("/").toString())).GET().build(),
                        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertEquals(200, secure.statusCode());
        assertTrue(secure.headers().firstValue("Strict-Transport-Security").orElse("").startsWith("max-age="));
        assertTrue(secure.headers().firstValue("Content-Security-Policy").orElse("").contains("frame-ancestors 'none'"));
        JsonObject info = Json.createReader(new StringReader(get("/API/rtcsound/page-info", null).body())).readObject();
        assertNull(info.get("token"));
    }

    @Test
    void aFullSessionLeavesNoSecretOrTokenInTheServersLogsOrTheBrowsersConsole() throws Exception {
        String secret = "LogScan-" + Long.toHexString(System.nanoTime()) + "-TurnSecret";
        Suite.editOdConfig(sample -> sample + "\nwebrtc.coturn : { 'coturn_static_auth_secret': '" + secret
                + "', 'ttl': 600, 'protocol': 'turn', 'url': '127.0.0.1:3478' }\n");
        server.awaitConfig(c -> c.getJsonObject("values").containsKey("webrtc.coturn"), WAIT);
        String token = TestTokens.user("logscan");
        String signature = token.substring(token.lastIndexOf('.') + 1);
        String refused = TestTokens.sign(TestTokens.STRANGER, AlgorithmIdentifiers.RSA_USING_SHA256,
                c -> c.setSubject("logscan"));
        List<String> console;
        String credential;
        try (Chromium.Tab tab = chromium.open(server.httpsUri("/#jwt_token=" + token))) {
            PageAudio.awaitState(tab, "available", 20_000);
            PageAudio.awaitPackets(tab, 5000);
            try (SignallingClient query = SignallingClient.connect(server.wsUri("/signalling?jwt_token=" + token));
                    SignallingClient bad = SignallingClient.connect(server.wsUri("/signalling?jwt_token=" + refused))) {
                query.send("HELLO logscan");
                query.nextMatching(f -> f.startsWith("{\"sdp\""), WAIT);
                assertEquals(1008, bad.awaitClose(WAIT).code());
            }
            HttpResponse<String> pyos = post("/API/webrtc/coturn_rtcconfiguration", "ABCAuthorization", token);
            jakarta.json.JsonArray servers = Json.createReader(new StringReader(pyos.body())).readObject()
                    .getJsonObject("result").getJsonArray("iceServers");
            credential = servers.getJsonObject(servers.size() - 1).getString("credential");
            console = tab.console();
        }
        server.awaitIdle(WAIT);
        List<String> secrets = List.of(secret, token, signature, refused.substring(refused.lastIndexOf('.') + 1),
                credential);
        List<Path> logs;
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(server.logDirectory())) {
            logs = files.filter(java.nio.file.Files::isRegularFile).toList();
        }
        assertTrue(logs.stream().anyMatch(f -> f.getFileName().toString().equals("messages.log")), logs.toString());
        for (Path log : logs) {
            String text = new String(java.nio.file.Files.readAllBytes(log), StandardCharsets.UTF_8);
            for (String s : secrets) {
                assertFalse(text.contains(s), log + " holds a secret or token");
            }
        }
        assertTrue(console.stream().anyMatch(line -> line.contains("rtc_configuration")), "the page logged its steps");
        for (String line : console) {
            for (String s : secrets) {
                assertFalse(line.contains(s), "the browser console holds a secret or token: " + line);
            }
        }
    }
}
