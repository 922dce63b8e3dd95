package org.rtcsound.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;

import jakarta.json.Json;
import jakarta.json.JsonObject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.rtcsound.testing.FakeKubernetesApi;
import org.rtcsound.testing.LibertyServer;
import org.rtcsound.testing.PulseAudioDaemon;
import org.rtcsound.testing.SignallingClient;
import org.rtcsound.testing.Sleep;
import org.rtcsound.testing.Suite;

/**
 * The desktop locator on Kubernetes: the real kubernetes-client-java inside Liberty
 * watches desktop pods (labelled as abcdesktop labels them) on a fake API server; pods
 * appear, change address and disappear, and the locator's answers follow; a dropped watch
 * is opened again. A call for a user reaches that user's desktop PulseAudio by pod IP.
 */
class DesktopPodsIT {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final Map<String, String> DORA = Map.of("type", "x11server", "access_userid", "dora");

    private static PulseAudioDaemon desktop;
    private static FakeKubernetesApi api;
    private static LibertyServer server;

    @BeforeAll
    static void start() {
        desktop = PulseAudioDaemon.startWithTcp(Suite.work().resolve("desktop-pod"), 14715, "127.0.0.0/8");
        api = FakeKubernetesApi.start();
        Path kubeconfig = api.writeKubeconfig(Suite.work().resolve("kubeconfig-pods"));
        server = LibertyServer.start(Path.of(System.getProperty("rtcsound.it.wlp", "target/liberty/wlp")),
                "rtcsound-configmap", 19180, 19543, Map.of("RTCSOUND_DESKTOPS_SOURCE", "kubernetes",
                        "RTCSOUND_KUBERNETES_KUBECONFIG", kubeconfig.toString(), "RTCSOUND_PULSE_PORT", "14715"));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (api != null) {
            api.close();
        }
        if (desktop != null) {
            desktop.close();
        }
    }

    private static JsonObject awaitDesktops(Predicate<JsonObject> condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            JsonObject desktops = Json.createReader(new StringReader(server.get("/API/admin/desktops").body()))
                    .readObject().getJsonObject("desktops");
            if (condition.test(desktops)) {
                return desktops;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("desktops never reached the expected state: " + desktops);
            }
            Sleep.millis(50);
        }
    }

    /** Says HELLO as dora: the first ERROR, or null once the call's capture runs in her desktop's PulseAudio. */
    private static String call() {
        try (SignallingClient client = server.signalling("dora")) {
            client.send("HELLO dora");
            String first = client.next(WAIT);
            if (first.startsWith("ERROR")) {
                return first;
            }
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!desktop.pactl("list", "source-outputs").contains("rtcsound")) {
                assertTrue(System.nanoTime() < deadline, "the call never reached dora's desktop");
                Sleep.millis(50);
            }
            return null;
        }
    }

    @Test
    void podsAppearChangeAddressAndDisappearAndTheLocatorFollows() {
        awaitDesktops(d -> !d.containsKey("dora"));
        assertEquals("ERROR no desktop is running for user 'dora'", call());

        api.putPod("abcdesktop", "dora-x11", DORA, "127.0.0.1", "Running");
        awaitDesktops(d -> "127.0.0.1".equals(d.getString("dora", null)));
        assertEquals(null, call());

        api.putPod("abcdesktop", "dora-x11", DORA, "127.0.0.2", "Running");
        awaitDesktops(d -> "127.0.0.2".equals(d.getString("dora", null)));
        assertEquals(null, call());

        api.putPod("abcdesktop", "other", Map.of("type", "x11server", "access_userid", "otto"), "127.0.0.3", "Pending");
        api.putPod("abcdesktop", "not-a-desktop", Map.of("access_userid", "nina"), "127.0.0.4", "Running");
        Sleep.millis(300);
        JsonObject known = awaitDesktops(d -> d.containsKey("dora"));
        assertEquals(1, known.size(), "only running desktop pods count: " + known);

        api.deletePod("abcdesktop", "dora-x11");
        awaitDesktops(d -> !d.containsKey("dora"));
        assertEquals("ERROR no desktop is running for user 'dora'", call());
    }

    @Test
    void aWatchThatDropsIsOpenedAgain() {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (api.watchesOpened() == 0 && System.nanoTime() < deadline) {
            Sleep.millis(50);
        }
        int opened = api.watchesOpened();
        api.dropWatches();
        while (api.watchesOpened() == opened && System.nanoTime() < deadline) {
            Sleep.millis(50);
        }
        assertTrue(api.watchesOpened() > opened, "the watch was not opened again");
        api.putPod("abcdesktop", "dora-x11", DORA, "127.0.0.5", "Running");
        awaitDesktops(d -> "127.0.0.5".equals(d.getString("dora", null)));
        api.deletePod("abcdesktop", "dora-x11");
        awaitDesktops(d -> !d.containsKey("dora"));
    }
}
