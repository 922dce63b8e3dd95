package org.rtcsound.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.rtcsound.testing.Chromium;
import org.rtcsound.testing.ChromiumPerClass;
import org.rtcsound.testing.GrafanaDashboard;
import org.rtcsound.testing.MetricsScrape;
import org.rtcsound.testing.PageAudio;
import org.rtcsound.testing.Sleep;
import org.rtcsound.testing.SignallingClient;
import org.rtcsound.testing.Suite;
import org.rtcsound.testing.TestTokens;
import org.rtcsound.testing.Tones;

/**
 * {@code /metrics} in Prometheus' format (read here by Prometheus' own parser), open to a scraper
 * without credentials: what is open
 * (calls, listeners, desktop streams) follows a real call, and calls opened and refused by
 * kind are counted; no figure names a user or holds a token.
 */
@ExtendWith({Suite.class, ChromiumPerClass.class})
class MetricsIT {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final Suite.Parts parts;
    private final Chromium chromium;

    MetricsIT(Suite.Parts parts, Chromium chromium) {
        this.parts = parts;
        this.chromium = chromium;
    }

    private MetricsScrape scrape() {
        return MetricsScrape.of(parts.liberty(), parts.work());
    }

    @Test
    void whatIsOpenFollowsACallAndOpenedCallsAreCounted() {
        MetricsScrape before = scrape();
        assertEquals("gauge", before.type("rtcsound_listeners"), before.text());
        double opened = before.value("rtcsound_calls_opened_total", "");
        try (SignallingClient client = parts.liberty().signalling("alice")) {
            client.send("HELLO alice");
            client.nextMatching(frame -> frame.startsWith("{\"sdp\""), WAIT);
            MetricsScrape during = scrape();
            assertEquals(1, during.value("rtcsound_listeners", ""), during.text());
            assertEquals(1, during.value("rtcsound_desktop_streams", ""), during.text());
            assertEquals(1, during.value("rtcsound_calls_open", ""), during.text());
            assertEquals(opened + 1, during.value("rtcsound_calls_opened_total", ""), during.text());
        }
        parts.liberty().awaitIdle(WAIT);
        MetricsScrape after = scrape();
        assertEquals(0, after.value("rtcsound_listeners", ""), after.text());
        assertEquals(0, after.value("rtcsound_desktop_streams", ""), after.text());
    }

    @Test
    void refusalsAreCountedByKindAndNoTokenShows() {
        String bad = TestTokens.unsigned("mallory");
        double refused = scrape().value("rtcsound_calls_refused_total", "\"reason\": \"token-refused\"");
        try (SignallingClient client = SignallingClient.connect(parts.liberty().wsUri("/signalling"), bad)) {
            assertTrue(client.next(WAIT).startsWith("ERROR token refused"));
            client.awaitClose(WAIT);
        }
        MetricsScrape after = scrape();
        assertEquals(refused + 1, after.value("rtcsound_calls_refused_total", "\"reason\": \"token-refused\""),
                after.text());
        assertTrue(!after.text().contains(bad) && !after.text().contains("mallory"), "no token or user in the figures");
    }

    /**
     * Also: every figure the chart's Grafana dashboard queries is in a real scrape, taken while
     * a call is connected (its own gauges) after a refusal (the labelled counter).
     */
    @Test
    void aConnectedCallIsTimedAndHasNetworkGaugesOfItsOwnUntilItEnds() {
        try (SignallingClient refused = SignallingClient.connect(parts.liberty().wsUri("/signalling"),
                TestTokens.unsigned("mallory"))) {
            assertTrue(refused.next(WAIT).startsWith("ERROR token refused"));
            refused.awaitClose(WAIT);
        }
        double timed = scrape().value("rtcsound_first_audio_seconds_count", "");
        Process tone = parts.pulse().play(Tones.sine(parts.work().resolve("metrics.wav"), 610, 30, 0.5), "virtspk");
        String call;
        try (Chromium.Tab tab = chromium.open(parts.liberty().httpsUri("/?uid=alice"))) {
            PageAudio.assertHears(tab, 610);
            call = "\"call\": \"" + parts.liberty().get("/API/admin/calls").body()
                    .replaceAll("(?s).*\"id\":\"([^\"]+)\".*", "$1") + "\"";
            MetricsScrape during = scrape();
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (Double.isNaN(during.value("rtcsound_call_round_trip_seconds", call))
                    && System.nanoTime() < deadline) {
                Sleep.millis(500); // the browser's first receiver report: within about 5 s
                during = scrape();
            }
            assertEquals(timed + 1, during.value("rtcsound_first_audio_seconds_count", ""), during.text());
            for (String name : List.of("rtcsound_call_packets_lost", "rtcsound_call_jitter_seconds",
                    "rtcsound_call_sent_bytes", "rtcsound_call_bitrate_bits_per_second")) {
                assertTrue(during.samples().stream().anyMatch(s -> s.name().equals(name) && s.labels().contains(call)),
                        name + " for " + call + ": " + during.text());
            }
            assertTrue(during.samples().stream().anyMatch(s -> s.name().equals("rtcsound_first_audio_seconds_bucket")),
                    "time to first audio is a histogram: " + during.text());
            double rtt = during.value("rtcsound_call_round_trip_seconds", call);
            assertTrue(rtt >= 0 && rtt < 0.5, call + " round trip " + rtt + ": " + during.text());
            assertTrue(during.value("rtcsound_call_packets_sent", call) > 50, during.text());
            assertTrue(during.value("rtcsound_call_fraction_lost", call) <= 1, during.text());
            Set<String> missing = new TreeSet<>(GrafanaDashboard.metricNames(GrafanaDashboard.read()));
            missing.removeAll(during.samples().stream().map(MetricsScrape.Sample::name).collect(Collectors.toSet()));
            assertEquals(Set.of(), missing, "the dashboard queries figures the server does not export:\n"
                    + during.text());
        } finally {
            tone.destroy();
        }
        parts.liberty().awaitIdle(WAIT);
        MetricsScrape after = scrape();
        assertTrue(after.samples().stream().noneMatch(s -> s.labels().contains(call)),
                "an ended call's gauges go with it: " + after.text());
    }
}
