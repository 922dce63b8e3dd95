package org.rtcsound.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.rtcsound.testing.Chromium;
import org.rtcsound.testing.ChromiumPerClass;
import org.rtcsound.testing.PageAudio;
import org.rtcsound.testing.SignallingClient;
import org.rtcsound.testing.Sleep;
import org.rtcsound.testing.Suite;
import org.rtcsound.testing.Tones;

/**
 * What the latency benchmark reads from a real server: each call's startup steps, a traced
 * stream's onsets on their way through capture, encoder and payloader, and the media settings
 * reaching the pipeline (a 20 ms Opus frame sends half the packets of a 10 ms one).
 */
@ExtendWith({Suite.class, ChromiumPerClass.class})
class MediaTuningIT {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final Suite.Parts parts;
    private final Chromium chromium;

    MediaTuningIT(Suite.Parts parts, Chromium chromium) {
        this.parts = parts;
        this.chromium = chromium;
    }

    @AfterEach
    void restore() {
        Suite.restoreOdConfig();
        parts.liberty().awaitConfig(c -> !c.getJsonObject("values").containsKey("rtcsound.opus.frame-ms")
                && !c.getJsonObject("values").containsKey("rtcsound.trace.onsets")
                && !c.getJsonObject("values").containsKey("rtcsound.capture.buffer-ms")
                && !c.getJsonObject("values").containsKey("rtcsound.ice.check-pacing-ms"), WAIT);
        parts.liberty().awaitIdle(WAIT);
    }

    private void configure(String lines, String key) {
        Suite.editOdConfig(sample -> sample + "\n" + lines + "\n");
        parts.liberty().awaitConfig(c -> c.getJsonObject("values").containsKey(key), WAIT);
    }

    private JsonArray calls() {
        return Json.createReader(new StringReader(parts.liberty().get("/API/admin/calls").body())).readArray();
    }

    @Test
    void aCallShowsWhenEachStepOfItsStartWasDone() {
        try (SignallingClient client = parts.liberty().signalling("alice")) {
            client.send("HELLO alice");
            client.nextMatching(frame -> frame.startsWith("{\"sdp\""), WAIT);
            JsonObject startup = calls().getJsonObject(0).getJsonObject("startup");
            double helloAt = startup.getJsonNumber("helloAt").doubleValue();
            double now = System.currentTimeMillis();
            assertTrue(helloAt <= now && helloAt > now - 10_000, "HELLO came in the last 10 s: " + startup);
            JsonObject steps = startup.getJsonObject("msAfterHello");
            for (String step : List.of("media start", "stream playing", "branch linked", "offer asked", "offer created",
                    "local description set", "offer sent")) {
                assertTrue(steps.containsKey(step), step + " missing: " + startup);
                // negative: done before the HELLO came, the call being prepared as its socket opened
                double after = steps.getJsonNumber(step).doubleValue();
                assertTrue(after > -10_000 && after < 10_000, step + ": " + startup);
            }
            assertTrue(steps.getJsonNumber("media start").doubleValue()
                    <= steps.getJsonNumber("offer sent").doubleValue(), startup.toString());
            assertTrue(steps.getJsonNumber("offer created").doubleValue()
                    <= steps.getJsonNumber("offer sent").doubleValue(), startup.toString());
            assertEquals(5, calls().getJsonObject(0).getJsonObject("network").getInt("iceCheckPacingMs"),
                    "the ICE agent took rtcsound's default check pacing, read back from libnice");
        }
    }

    @Test
    void aTracedStreamTimestampsEachOnsetAsItIsCapturedEncodedAndPacked() throws Exception {
        configure("rtcsound.trace.onsets : True", "rtcsound.trace.onsets");
        try (Chromium.Tab tab = chromium.open(parts.liberty().httpsUri("/?uid=alice"))) {
            PageAudio.awaitState(tab, "available", 20_000);
            Sleep.millis(500);
            List<Double> written = new ArrayList<>();
            FirstAudioBenchmark.BurstWriter writer = new FirstAudioBenchmark.BurstWriter(parts.pulse().clientEnvironment());
            try {
                for (int i = 0; i < 3; i++) {
                    written.add(FirstAudioBenchmark.epochMillis(writer.burst(0.1, 1000)));
                    Sleep.millis(500);
                }
            } finally {
                writer.close();
            }
            JsonArray onsets = parts.liberty().status().getJsonArray("desktopStreams").getJsonObject(0)
                    .getJsonArray("onsets");
            for (double sent : written) {
                JsonObject onset = onsets.getValuesAs(JsonObject.class).stream()
                        .filter(o -> o.getJsonNumber("capturedAt").doubleValue() > sent)
                        .findFirst().orElseThrow(() -> new AssertionError("no onset after " + sent + ": " + onsets));
                double captured = onset.getJsonNumber("capturedAt").doubleValue();
                assertTrue(captured - sent < 200, "captured within 200 ms of being written: " + onset);
                assertTrue(onset.get("encodedAt") instanceof JsonNumber, onset.toString());
                double encoded = onset.getJsonNumber("encodedAt").doubleValue();
                assertTrue(encoded >= captured && encoded - captured < 100, onset.toString());
                JsonArray packed = onset.getJsonArray("packedAt");
                assertEquals(1, packed.size(), "one call packed it once: " + onset);
                double packedAt = packed.getJsonNumber(0).doubleValue();
                assertTrue(packedAt >= encoded && packedAt - encoded < 100, onset.toString());
            }
            assertEquals(3, onsets.size(), "one onset per burst, none from the quiet between: " + onsets);
        }
    }

    @Test
    void aBrowsersCallAtLibnicesOwnCheckPacingIsHeardAndShowsItsAnswerAppliedThenConnected() {
        configure("rtcsound.ice.check-pacing-ms : 20", "rtcsound.ice.check-pacing-ms");
        Process tone = parts.pulse().play(Tones.sine(parts.work().resolve("paced.wav"), 600, 20, 0.5), "virtspk");
        try (Chromium.Tab tab = chromium.open(parts.liberty().httpsUri("/?uid=alice"))) {
            PageAudio.assertHears(tab, 600);
            JsonObject steps = calls().getJsonObject(0).getJsonObject("startup").getJsonObject("msAfterHello");
            assertTrue(steps.containsKey("answer applied") && steps.containsKey("connected"), steps.toString());
            assertEquals(20, calls().getJsonObject(0).getJsonObject("network").getInt("iceCheckPacingMs"),
                    "the ICE agent took the configured check pacing, read back from libnice");
            assertTrue(steps.getJsonNumber("offer sent").doubleValue() <= steps.getJsonNumber("answer applied").doubleValue()
                    && steps.getJsonNumber("answer applied").doubleValue() <= steps.getJsonNumber("connected").doubleValue(),
                    "offer sent, answer applied, connected, in that order: " + steps);
        } finally {
            tone.destroy();
        }
    }

    @Test
    void anUntracedStreamShowsNoOnsets() {
        Process tone = parts.pulse().play(Tones.sine(parts.work().resolve("untraced.wav"), 500, 20, 0.5), "virtspk");
        try (Chromium.Tab tab = chromium.open(parts.liberty().httpsUri("/?uid=alice"))) {
            PageAudio.assertHears(tab, 500);
            JsonObject stream = parts.liberty().status().getJsonArray("desktopStreams").getJsonObject(0);
            assertEquals(0, stream.getJsonArray("onsets").size(), stream.toString());
        } finally {
            tone.destroy();
        }
    }

    @Test
    void aTwentyMillisecondOpusFrameSendsHalfThePacketsAndSoundsTheSame() {
        Map<String, Double> rates = new java.util.LinkedHashMap<>();
        Process tone = parts.pulse().play(Tones.sine(parts.work().resolve("frames.wav"), 750, 60, 0.5), "virtspk");
        try {
            for (String frame : List.of("10", "20")) {
                configure("rtcsound.opus.frame-ms : '" + frame + "'", "rtcsound.opus.frame-ms");
                parts.liberty().awaitConfig(c -> frame.equals(c.getJsonObject("values").getString("rtcsound.opus.frame-ms")),
                        WAIT);
                try (Chromium.Tab tab = chromium.open(parts.liberty().httpsUri("/?uid=alice"))) {
                    PageAudio.assertHears(tab, 750);
                    long before = packetsSent();
                    Sleep.millis(2000);
                    rates.put(frame, (packetsSent() - before) / 2.0);
                }
                parts.liberty().awaitIdle(WAIT);
            }
        } finally {
            tone.destroy();
        }
        assertTrue(rates.get("10") > 80 && rates.get("10") < 120, "10 ms frames: ~100 packets a second: " + rates);
        assertTrue(rates.get("20") > 40 && rates.get("20") < 60, "20 ms frames: ~50 packets a second: " + rates);
    }

    @Test
    void aCaptureBufferShorterThanItsSegmentIsRefusedByName() {
        configure("rtcsound.capture.buffer-ms : 5", "rtcsound.capture.buffer-ms");
        try (SignallingClient client = parts.liberty().signalling("alice")) {
            client.send("HELLO alice");
            assertEquals("ERROR setting 'rtcsound.capture.buffer-ms' must be at least rtcsound.capture.latency-ms (10),"
                    + " got 5", client.nextMatching(frame -> frame.startsWith("ERROR"), WAIT));
        }
        assertEquals(0, parts.liberty().awaitIdle(WAIT).getInt("listeners"));
    }

    private long packetsSent() {
        JsonValue network = calls().getJsonObject(0).get("network");
        return network.asJsonObject().getJsonNumber("packetsSent").longValue();
    }
}
