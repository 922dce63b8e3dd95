package org.rtcsound.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import jakarta.json.Json;
import jakarta.json.JsonObject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.rtcsound.testing.FakeKubernetesApi;
import org.rtcsound.testing.LibertyServer;
import org.rtcsound.testing.Sleep;
import org.rtcsound.testing.Suite;

/**
 * od.config from the ConfigMap abcdesktop-config, read and watched by the real
 * kubernetes-client-java inside a real Liberty, against a fake API server (no real one
 * runs here). The ConfigMap is replaced as the seed's `kubectl create ... | kubectl
 * replace` does: a PUT of the whole object.
 */
class ConfigMapIT {

    private static final String NAMESPACE = "abcdesktop";
    private static final String NAME = "abcdesktop-config";
    private static final String SOURCE = "configmap abcdesktop/abcdesktop-config key od.config";

    private static final Duration WAIT = Duration.ofSeconds(15);

    private static FakeKubernetesApi api;
    private static LibertyServer server;
    private static String sample;

    @BeforeAll
    static void start() throws IOException {
        sample = Files.readString(Path.of("src/main/resources/od.config"));
        api = FakeKubernetesApi.start();
        api.put(NAMESPACE, NAME, Map.of("od.config", sample.replace("webrtc.rtc_configuration : { 'iceServers': [] }",
                "webrtc.rtc_configuration : { 'iceServers': [ {'urls': 'stun:stun.configmap.test:3478'} ] }")));
        Path kubeconfig = api.writeKubeconfig(Suite.work().resolve("kubeconfig"));
        server = LibertyServer.start(Path.of(System.getProperty("rtcsound.it.wlp", "target/liberty/wlp")),
                "rtcsound-configmap", 19180, 19543,
                Map.of("RTCSOUND_ODCONFIG_SOURCE", "configmap", "RTCSOUND_KUBERNETES_KUBECONFIG", kubeconfig.toString(),
                        // an ordinary MicroProfile override, which must win over od.config
                        "WEBRTC_RTC_CONSTRAINTS", "{\"audio\":true,\"video\":false,\"from\":\"environment\"}"));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (api != null) {
            api.close();
        }
    }

    @AfterEach
    void restore() {
        replace(sample);
        server.awaitConfig(c -> c.getJsonObject("values").getBoolean("webrtc.enable", false) && c.isNull("lastRefusal"), WAIT);
    }

    /** `kubectl replace`: PUT the whole ConfigMap. */
    private static void replace(String odConfig) {
        JsonObject configMap = Json.createObjectBuilder().add("apiVersion", "v1").add("kind", "ConfigMap")
                .add("metadata", Json.createObjectBuilder().add("name", NAME).add("namespace", NAMESPACE))
                .add("data", Json.createObjectBuilder().add("od.config", odConfig)).build();
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create(api.uri() + "/api/v1/namespaces/" + NAMESPACE + "/configmaps/" + NAME))
                    .header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString(configMap.toString())).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), response.body());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theConfigMapIsInForceFromTheStart() {
        long millis = server.awaitConfig(c -> SOURCE.equals(c.getString("source")), WAIT);
        assertTrue(millis < 15_000);
        String body = server.postJson("/API/webrtc/coturn_rtcconfiguration", "{}").body();
        assertTrue(body.contains("stun:stun.configmap.test:3478"), body);
    }

    @Test
    void anEnvironmentVariableStillWinsOverOdConfigForItsKey() {
        String body = server.postJson("/API/core/getkeyinfo", "{\"provider\":\"webrtc.rtc_constraints\"}").body();
        assertEquals("environment", Json.createReader(new StringReader(body)).readObject().getJsonObject("id")
                .getString("from"), body);
    }

    @Test
    void aReplacedConfigMapIsInForceWithinTwoSecondsWithoutARestart() {
        server.awaitConfig(c -> SOURCE.equals(c.getString("source")), WAIT);
        replace(sample.replace("webrtc.enable : True", "webrtc.enable : False"));
        long millis = server.awaitConfig(c -> !c.getJsonObject("values").getBoolean("webrtc.enable"), WAIT);
        System.out.printf("ConfigMap replacement in force after %d ms%n", millis);
        assertTrue(millis <= 2000, "in force after " + millis + " ms");
        String keyInfo = server.postJson("/API/core/getkeyinfo", "{\"provider\":\"webrtc.enable\"}").body();
        assertEquals(false, Json.createReader(new StringReader(keyInfo)).readObject().getBoolean("id"));
    }

    @Test
    void aBrokenReplacementIsRefusedAndTheLastGoodStaysInForce() {
        replace(sample.replace("webrtc.enable : True", "webrtc.enable : False"));
        server.awaitConfig(c -> !c.getJsonObject("values").getBoolean("webrtc.enable"), WAIT);
        String good = server.config().getString("sha256");
        replace(sample.replace("webrtc.enable : True", "webrtc.enable : os.getenv('SOUND')"));
        server.awaitConfig(c -> !c.isNull("lastRefusal"), WAIT);
        JsonObject config = server.config();
        assertEquals(SOURCE + ":7:17: in the value of 'webrtc.enable': 'os' is a name: rtcsound reads literals only and"
                + " never evaluates names or calls (True, False, None, numbers, strings, lists, tuples, dicts)",
                config.getJsonObject("lastRefusal").getString("message"));
        assertEquals(good, config.getString("sha256"));
        assertFalse(config.getJsonObject("values").getBoolean("webrtc.enable"));
    }

    @Test
    void aWatchThatDropsIsOpenedAgain() {
        server.awaitConfig(c -> SOURCE.equals(c.getString("source")), WAIT);
        int opened = api.watchesOpened();
        api.dropWatches();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (api.watchesOpened() == opened && System.nanoTime() < deadline) {
            Sleep.millis(50);
        }
        assertTrue(api.watchesOpened() > opened, "the watch was not opened again");
        replace(sample.replace("webrtc.enable : True", "webrtc.enable : False"));
        long millis = server.awaitConfig(c -> !c.getJsonObject("values").getBoolean("webrtc.enable"), WAIT);
        assertTrue(millis <= 2000, "in force after " + millis + " ms once the watch was back");
    }
}
