package org.rtcsound.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Stream;

import jakarta.json.Json;
import jakarta.json.JsonObject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
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
 * While a user's pod is replaced (log-out and log-in) or the watch is read again, the
 * user keeps a desktop whenever one runs.
 */
class DesktopPodsIT {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final Map<String, String> DORA = Map.of("type", "x11server", "access_userid", "dora");

    private static PulseAudioDaemon desktop;
    /** A stock abcdesktop desktop (cookie only, as oc.pulseaudio 3.2 starts it) at pod IP 127.0.0.9. */
    private static PulseAudioDaemon stockDesktop;
    private static final String STOCK_COOKIE = "a1b2c3d4e5f60718293a4b5c6d7e8f90";
    private static FakeKubernetesApi api;
    private static LibertyServer server;

    @BeforeAll
    static void start() {
        desktop = PulseAudioDaemon.startWithTcpOn(Suite.work().resolve("desktop-pod"), 14715, "127.0.0.0/8",
                "127.0.0.1", "127.0.0.2");
        stockDesktop = PulseAudioDaemon.startAsAbcdesktop(Suite.work().resolve("desktop-pod-stock"), "127.0.0.9", 14715,
                STOCK_COOKIE);
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
        if (stockDesktop != null) {
            stockDesktop.close();
        }
    }

    private static JsonObject desktops() {
        return Json.createReader(new StringReader(server.get("/API/admin/desktops").body()))
                .readObject().getJsonObject("desktops");
    }

    private static JsonObject awaitDesktops(Predicate<JsonObject> condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            JsonObject desktops = desktops();
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
    void aStockDesktopPodIsReachedWithItsOwnPulseAudioCookie() {
        Map<String, String> erin = Map.of("type", "x11server", "access_userid", "erin");
        api.putPod("abcdesktop", "erin-x11", erin, "127.0.0.9", "Running", Map.of("PULSEAUDIO_COOKIE", STOCK_COOKIE));
        try {
            awaitDesktops(d -> "127.0.0.9".equals(d.getString("erin", null)));
            try (SignallingClient client = server.signalling("erin")) {
                client.send("HELLO erin");
                assertEquals("HELLO", client.next(WAIT));
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (!stockDesktop.pactl("list", "source-outputs").contains("rtcsound")) {
                    assertTrue(System.nanoTime() < deadline, "the call never reached erin's stock desktop");
                    Sleep.millis(50);
                }
            }
            // the same pod with another cookie (a pod replaced, rtcsound told a stale one) is refused clearly
            api.putPod("abcdesktop", "erin-x11", erin, "127.0.0.9", "Running",
                    Map.of("PULSEAUDIO_COOKIE", "0".repeat(32)));
            long deadline = System.nanoTime() + WAIT.toNanos();
            String error;
            do {
                try (SignallingClient client = server.signalling("erin")) {
                    client.send("HELLO erin");
                    error = client.nextMatching(m -> m.startsWith("ERROR") || m.startsWith("{\"sdp\""), WAIT);
                }
                assertTrue(System.nanoTime() < deadline, "the changed cookie was never in force");
            } while (!error.startsWith("ERROR"));
            assertTrue(error.contains("PulseAudio server tcp:127.0.0.9:14715") && error.contains("access denied"), error);
        } finally {
            api.deletePod("abcdesktop", "erin-x11");
            awaitDesktops(d -> !d.containsKey("erin"));
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

    private static final String COOKIE = "00112233445566778899aabbccddeeff";
    private static final Map<String, String> BARRIER = Map.of("type", "x11server", "access_userid", "barrier");
    private static int barriers;

    private static void putDoraPod(String name, String ip) {
        api.putPod("abcdesktop", name, DORA, ip, "Running", Map.of("PULSEAUDIO_COOKIE", COOKIE));
    }

    /** Returns once rtcsound has applied every pod event sent before: one watch delivers them in order. */
    private static void barrier() {
        String ip = "127.0.1." + (++barriers % 250 + 1);
        api.putPod("abcdesktop", "barrier", BARRIER, ip, "Running");
        awaitDesktops(d -> ip.equals(d.getString("barrier", null)));
    }

    /**
     * Reads {@code GET /API/admin/desktops} over and over on a thread of its own and keeps
     * every answer without dora given while she must have a desktop: a phase of its own,
     * from {@link #mustHaveDora()} to {@link #mayLoseDora()}; a read that overlaps the change
     * of phase does not count.
     */
    private static final class GapWatcher implements AutoCloseable {
        private final AtomicInteger phase = new AtomicInteger(); // odd: dora must have a desktop
        private final AtomicInteger reads = new AtomicInteger();
        private final List<String> gaps = new CopyOnWriteArrayList<>();
        private volatile boolean running = true;
        private final Thread thread = new Thread(this::run, "desktops-gap-watcher");

        GapWatcher() {
            thread.setDaemon(true);
            thread.start();
        }

        void mustHaveDora() {
            phase.incrementAndGet();
        }

        void mayLoseDora() {
            phase.incrementAndGet();
        }

        private void run() {
            while (running) {
                int before = phase.get();
                String seen;
                try {
                    JsonObject desktops = desktops();
                    seen = desktops.containsKey("dora") ? null : desktops.toString();
                } catch (RuntimeException e) {
                    seen = "no answer: " + e;
                }
                if (seen != null && before % 2 == 1 && phase.get() == before) {
                    gaps.add(seen);
                }
                reads.incrementAndGet();
                Sleep.millis(5);
            }
        }

        @Override
        public void close() {
            running = false;
            try {
                thread.join(WAIT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Test
    void aUserKeepsTheirDesktopWhileTheirPodIsReplacedAndWhileTheWatchIsReadAgain() {
        awaitDesktops(d -> !d.containsKey("dora"));
        putDoraPod("dora-1", "127.0.0.1");
        awaitDesktops(d -> "127.0.0.1".equals(d.getString("dora", null)));
        GapWatcher watcher = new GapWatcher();
        try (watcher) {
            watcher.mustHaveDora();

            // Log-out and log-in, the new pod running before the old one goes (terminating, then gone).
            putDoraPod("dora-2", "127.0.0.2");
            awaitDesktops(d -> "127.0.0.2".equals(d.getString("dora", null)));
            assertEquals(null, call());
            api.terminatePod("abcdesktop", "dora-1");
            barrier();
            assertEquals("127.0.0.2", desktops().getString("dora", null), "the old pod terminating");
            api.deletePod("abcdesktop", "dora-1");
            barrier();
            assertEquals("127.0.0.2", desktops().getString("dora", null), "the old pod deleted");
            assertEquals(null, call());

            // The watch drops; the re-list replaces what rtcsound knows.
            int opened = api.watchesOpened();
            api.dropWatches();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (api.watchesOpened() == opened && System.nanoTime() < deadline) {
                Sleep.millis(20);
            }
            assertTrue(api.watchesOpened() > opened, "the watch was not opened again");
            barrier();
            assertEquals("127.0.0.2", desktops().getString("dora", null), "after the re-list");
            assertEquals(null, call());

            // The other order: the old pod gone first. No pod runs for dora until the new one does.
            watcher.mayLoseDora();
            api.deletePod("abcdesktop", "dora-2");
            awaitDesktops(d -> !d.containsKey("dora"));
            assertEquals("ERROR no desktop is running for user 'dora'", call());
            putDoraPod("dora-3", "127.0.0.1");
            awaitDesktops(d -> "127.0.0.1".equals(d.getString("dora", null)));
            watcher.mustHaveDora();
            assertEquals(null, call());

            // A pod dora no longer has (removed while no watch was open) is gone after the re-list; hers stays.
            putDoraPod("dora-4", "127.0.0.2");
            awaitDesktops(d -> "127.0.0.2".equals(d.getString("dora", null)));
            opened = api.watchesOpened();
            api.dropWatches();
            api.deletePod("abcdesktop", "dora-4");
            deadline = System.nanoTime() + WAIT.toNanos();
            while (api.watchesOpened() == opened && System.nanoTime() < deadline) {
                Sleep.millis(20);
            }
            barrier();
            assertEquals("127.0.0.1", desktops().getString("dora", null), "dora-3 once dora-4 is gone");
            assertEquals(null, call());
        }
        assertEquals(List.of(), watcher.gaps, "dora had no desktop while one ran");
        assertTrue(watcher.reads.get() > 20, "the watcher read the desktops only " + watcher.reads.get() + " times");

        assertFalse(server.get("/API/admin/desktops").body().contains(COOKIE));
        assertFalse(logs().contains(COOKIE), "the PulseAudio cookie is in Liberty's logs");
    }

    /** The other cases count desktops: none of this case's pods stays, even when it fails. */
    @AfterEach
    void removeReplacementPods() {
        List.of("dora-1", "dora-2", "dora-3", "dora-4", "barrier").forEach(pod -> api.deletePod("abcdesktop", pod));
        awaitDesktops(d -> !d.containsKey("barrier")); // the last delete: the others are applied too
    }

    /** Every file in Liberty's log directory, as one text. */
    private static String logs() {
        try (Stream<Path> files = Files.walk(server.logDirectory())) {
            StringBuilder all = new StringBuilder();
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                all.append(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
            }
            return all.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
