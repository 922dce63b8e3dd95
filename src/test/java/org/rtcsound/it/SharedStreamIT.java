package org.rtcsound.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import jakarta.json.JsonObject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.rtcsound.testing.Chromium;
import org.rtcsound.testing.ChromiumPerClass;
import org.rtcsound.testing.PageAudio;
import org.rtcsound.testing.PulseAudioDaemon;
import org.rtcsound.testing.Sleep;
import org.rtcsound.testing.Suite;
import org.rtcsound.testing.Tones;

/**
 * A desktop is captured and encoded once, however many listen: two tabs of one user are two
 * listeners of one desktop stream (the admin status says so, and the desktop's PulseAudio
 * has one recording stream of rtcsound's), a listener leaving leaves the others playing, the
 * stream lingers after its last listener for the configured time, and a desktop whose
 * PulseAudio goes fails its listeners, whose pages reconnect to a fresh stream once it is back.
 */
@ExtendWith({Suite.class, ChromiumPerClass.class})
class SharedStreamIT {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int PORT_A = 14718;
    private static final int PORT_B = 14719;
    private static final String SERVER_A = "tcp:127.0.0.1:" + PORT_A;
    private static final String SERVER_B = "tcp:127.0.0.1:" + PORT_B;

    private static PulseAudioDaemon desktopA;
    private static PulseAudioDaemon desktopB;

    private final Suite.Parts parts;
    private final Chromium chromium;
    private Process toneA;
    private Process toneB;

    SharedStreamIT(Suite.Parts parts, Chromium chromium) {
        this.parts = parts;
        this.chromium = chromium;
    }

    @BeforeAll
    static void startDesktops() {
        desktopA = PulseAudioDaemon.startWithTcp(Suite.work().resolve("shared-a"), PORT_A, "127.0.0.1");
        desktopB = PulseAudioDaemon.startWithTcp(Suite.work().resolve("shared-b"), PORT_B, "127.0.0.1");
    }

    @AfterAll
    static void stopDesktops() {
        if (desktopA != null) {
            desktopA.close();
        }
        if (desktopB != null) {
            desktopB.close();
        }
    }

    @BeforeEach
    void mapDesktopsAndPlayTones() {
        configure(0);
        toneA = desktopA.play(Tones.sine(parts.work().resolve("shared-a.wav"), 600, 60, 0.5), "virtspk");
        toneB = desktopB.play(Tones.sine(parts.work().resolve("shared-b.wav"), 1000, 60, 0.5), "virtspk");
    }

    @AfterEach
    void restore() {
        toneA.destroy();
        toneB.destroy();
        Suite.restoreOdConfig();
        parts.liberty().awaitConfig(c -> !c.getJsonObject("values").containsKey("rtcsound.desktops"), WAIT);
        parts.liberty().awaitIdle(WAIT);
    }

    /** alice's desktop is A, bob's is B; a desktop's stream lingers {@code lingerSeconds} (the suite's is 0). */
    private void configure(int lingerSeconds) {
        Suite.editOdConfig(sample -> sample.replace("rtcsound.stream.linger-seconds : 0",
                "rtcsound.stream.linger-seconds : " + lingerSeconds) + "\nrtcsound.desktops : { 'alice': '" + SERVER_A
                + "', 'bob': '" + SERVER_B + "' }\n");
        parts.liberty().awaitConfig(c -> c.getJsonObject("values").containsKey("rtcsound.desktops")
                && c.getJsonObject("values").getJsonNumber("rtcsound.stream.linger-seconds").intValue()
                        == lingerSeconds, WAIT);
    }

    @Test
    void twoTabsOfOneUserShareOneCaptureAndEncoderAndEachDesktopHasItsOwn() {
        long created = status().getJsonNumber("desktopStreamsCreated").longValue();
        try (Chromium.Tab alice = chromium.open(parts.liberty().httpsUri("/?uid=alice"));
                Chromium.Tab aliceAgain = chromium.open(parts.liberty().httpsUri("/?uid=alice"));
                Chromium.Tab bob = chromium.open(parts.liberty().httpsUri("/?uid=bob"))) {
            PageAudio.assertHears(alice, 600);
            PageAudio.assertHears(aliceAgain, 600);
            PageAudio.assertHears(bob, 1000);
            JsonObject status = status();
            assertEquals(2, stream(status, SERVER_A).getInt("listeners"), status.toString());
            assertEquals(1, stream(status, SERVER_B).getInt("listeners"), status.toString());
            assertEquals(created + 2, status.getJsonNumber("desktopStreamsCreated").longValue(),
                    "one stream per desktop, not per tab: " + status);
            assertEquals(1, rtcsoundRecordings(desktopA), "desktop A's PulseAudio records one stream for two tabs");
            assertEquals(1, rtcsoundRecordings(desktopB));
        }
    }

    @Test
    void aListenerLeavingKeepsTheOthersPlaying() {
        try (Chromium.Tab staying = chromium.open(parts.liberty().httpsUri("/?uid=alice"))) {
            try (Chromium.Tab leaving = chromium.open(parts.liberty().httpsUri("/?uid=alice"))) {
                PageAudio.assertHears(staying, 600);
                PageAudio.assertHears(leaving, 600);
            }
            awaitListeners(SERVER_A, 1);
            long before = PageAudio.inbound(staying).packetsReceived();
            PageAudio.assertHears(staying, 600);
            long after = PageAudio.inbound(staying).packetsReceived();
            assertTrue(after - before >= 50, "packets kept coming after the other tab left: " + before + " -> " + after);
            assertEquals(1, rtcsoundRecordings(desktopA));
        }
    }

    @Test
    void theStreamLingersAfterItsLastListenerSoAReloadFindsItEncoding() {
        configure(4);
        try (Chromium.Tab alice = chromium.open(parts.liberty().httpsUri("/?uid=alice"))) {
            PageAudio.assertHears(alice, 600);
        }
        awaitListeners(SERVER_A, 0);
        JsonObject lingering = status();
        assertTrue(stream(lingering, SERVER_A).getBoolean("lingering"), lingering.toString());
        assertEquals(1, rtcsoundRecordings(desktopA), "still capturing while it lingers");
        long created = lingering.getJsonNumber("desktopStreamsCreated").longValue();

        try (Chromium.Tab reload = chromium.open(parts.liberty().httpsUri("/?uid=alice"))) {
            PageAudio.assertHears(reload, 600);
            JsonObject status = status();
            assertEquals(created, status.getJsonNumber("desktopStreamsCreated").longValue(),
                    "the reload joined the lingering stream: " + status);
            assertTrue(!stream(status, SERVER_A).getBoolean("lingering"), status.toString());
        }
        awaitListeners(SERVER_A, 0);
        long deadline = System.nanoTime() + Duration.ofSeconds(8).toNanos();
        while (streamOf(status(), SERVER_A) != null && System.nanoTime() < deadline) {
            Sleep.millis(100);
        }
        assertEquals(null, streamOf(status(), SERVER_A), "the stream ends once its linger is over");
        assertEquals(0, rtcsoundRecordings(desktopA), "and with it the capture");
    }

    @Test
    void aDesktopWhosePulseAudioGoesFailsItsListenersAndTheirPagesFindAFreshStreamOnceItIsBack() {
        try (Chromium.Tab alice = chromium.open(parts.liberty().httpsUri("/?uid=alice"));
                Chromium.Tab aliceAgain = chromium.open(parts.liberty().httpsUri("/?uid=alice"));
                Chromium.Tab bob = chromium.open(parts.liberty().httpsUri("/?uid=bob"))) {
            PageAudio.assertHears(alice, 600);
            PageAudio.assertHears(aliceAgain, 600);
            PageAudio.assertHears(bob, 1000);
            long created = status().getJsonNumber("desktopStreamsCreated").longValue();
            toneA.destroy();
            desktopA.close();
            PageAudio.awaitState(alice, "error", 20_000);
            PageAudio.awaitState(aliceAgain, "error", 20_000);
            PageAudio.assertHears(bob, 1000); // another desktop's stream plays on

            desktopA = PulseAudioDaemon.startWithTcp(Suite.work().resolve("shared-a"), PORT_A, "127.0.0.1");
            toneA = desktopA.play(Tones.sine(parts.work().resolve("shared-a.wav"), 600, 60, 0.5), "virtspk");
            PageAudio.assertHears(alice, 600);
            PageAudio.assertHears(aliceAgain, 600);
            JsonObject status = status();
            assertEquals(2, stream(status, SERVER_A).getInt("listeners"), status.toString());
            assertTrue(status.getJsonNumber("desktopStreamsCreated").longValue() > created,
                    "a fresh stream for the desktop that came back: " + status);
            assertEquals(1, rtcsoundRecordings(desktopA));
        }
    }

    @Test
    void aCaptureThatStallsIsNoticedAndItsListenersHearAgainOnAFreshStream() {
        try (Chromium.Tab alice = chromium.open(parts.liberty().httpsUri("/?uid=alice"))) {
            PageAudio.assertHears(alice, 600);
            long stalls = stalls();
            long created = status().getJsonNumber("desktopStreamsCreated").longValue();
            desktopA.freeze(Duration.ofSeconds(5)); // longer than the server's 3 s stall watch
            PageAudio.assertHears(alice, 600);
            assertTrue(status().getJsonNumber("desktopStreamsCreated").longValue() > created,
                    "the page hears a fresh stream");
            // Whichever side notices first heals it: the server's stall watch (counted) or the
            // page's (no packets for 3 s: it calls again, and the frozen stream goes with its
            // last listener).
            String console = String.join("\n", alice.console());
            assertTrue(stalls() == stalls + 1 || console.contains("No audio for 3000 ms: starting over"),
                    "the stall was noticed: stalls " + stalls + " -> " + stalls() + ", console:\n" + console);
        }
    }

    private long stalls() {
        String metrics = parts.liberty().get("/metrics?scope=application").body();
        return metrics.lines().filter(line -> line.startsWith("rtcsound_desktop_streams_stalled{"))
                .mapToLong(line -> (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .findFirst().orElseThrow(() -> new AssertionError("no stall figure in " + metrics));
    }

    private JsonObject status() {
        return parts.liberty().status();
    }

    private static JsonObject streamOf(JsonObject status, String server) {
        return status.getJsonArray("desktopStreams").getValuesAs(JsonObject.class).stream()
                .filter(stream -> stream.getString("server").equals(server)).findFirst().orElse(null);
    }

    private static JsonObject stream(JsonObject status, String server) {
        JsonObject stream = streamOf(status, server);
        if (stream == null) {
            throw new AssertionError("no desktop stream of " + server + " in " + status);
        }
        return stream;
    }

    private void awaitListeners(String server, int listeners) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        JsonObject status = status();
        while (System.nanoTime() < deadline) {
            JsonObject stream = streamOf(status, server);
            if (stream != null && stream.getInt("listeners") == listeners) {
                return;
            }
            Sleep.millis(100);
            status = status();
        }
        throw new AssertionError("expected " + listeners + " listeners of " + server + ": " + status);
    }

    /** Recording streams (source outputs) rtcsound holds in a desktop's PulseAudio. */
    private static long rtcsoundRecordings(PulseAudioDaemon desktop) {
        List<String> lines = desktop.pactl("list", "source-outputs").lines().toList();
        return lines.stream().filter(line -> line.trim().equals("application.name = \"rtcsound\"")).count();
    }
}
