package org.rtcsound.it;

import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.rtcsound.testing.BenchmarkDocs;
import org.rtcsound.testing.Chromium;
import org.rtcsound.testing.DistributionChart;
import org.rtcsound.testing.FaultRig;
import org.rtcsound.testing.LoopingTone;
import org.rtcsound.testing.PageAudio;
import org.rtcsound.testing.Sleep;
import org.rtcsound.testing.Suite;

/**
 * The WebSocket path beside WebRTC, in one run, on one host (issue 13's row): for each path in
 * turn, a fresh page on a fresh desktop stream while a tone plays (page load to the first
 * sound rendered in the page), then bursts written with pacat into the desktop's sink (each
 * burst's onset: written, to its first sample rendered in the page; the onset detector is
 * FirstAudioBenchmark's AudioWorklet, on the page's clock); and on the WebSocket path the
 * player's concealed samples. Then, where only https passes (a {@link FaultRig} namespace),
 * fresh pages that fall back on their own: the move to the WebSocket path to the first sound.
 */
@ExtendWith(Suite.class)
class WebSocketPathBenchmark {

    private static final int STREAMS = Integer.getInteger("rtcsound.bench.ws.streams", 5);
    private static final int BURSTS_PER_STREAM = Integer.getInteger("rtcsound.bench.ws.bursts", 10);
    private static final int FALLBACK_LOADS = Integer.getInteger("rtcsound.bench.ws.fallbacks", 5);
    private static final int TONE_HZ = 1000;

    private enum MediaPath {
        WEBRTC("WebRTC", "/#jwt_token="), WEBSOCKET("WebSocket path", "/?transport=websocket#jwt_token=");

        final String label;
        final String page;

        MediaPath(String label, String page) {
            this.label = label;
            this.page = page;
        }
    }

    /** After the detector: it follows the client's stream, whichever path brings it. */
    private static final String FOLLOW = """
            window.onsets = [];
            window.startOnsetDetector().then((detector) => {
              window.onsets = detector.onsets;
              let heard = null;
              const follow = () => {
                const stream = window.rtcsound?.remoteStream;
                if (stream && stream !== heard) {
                  heard = stream;
                  detector.listen(stream);
                }
                setTimeout(follow, 5);
              };
              follow();
            });
            """;

    private final Suite.Parts parts;
    private final AtomicInteger workletFetches = new AtomicInteger();

    WebSocketPathBenchmark(Suite.Parts parts) {
        this.parts = parts;
    }

    private record Figures(List<Double> firstSound, List<Double> onsets, List<Double> concealedPercent,
            List<Double> underruns) {
        Figures() {
            this(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        }
    }

    @Test
    void measure() throws Exception {
        Map<MediaPath, Figures> figures = new EnumMap<>(MediaPath.class);
        for (MediaPath path : MediaPath.values()) {
            figures.put(path, new Figures());
        }
        try (Chromium chromium = Chromium.launch()) {
            for (int stream = 0; stream < STREAMS; stream++) {
                for (MediaPath path : MediaPath.values()) {
                    measureOne(chromium, path, figures.get(path));
                }
            }
        }
        List<Double> afterFallback = measureFallbacks();

        Path png = BenchmarkDocs.directory().resolve("websocket-path-benchmark.png");
        DistributionChart.write(png, "rtcsound: WebRTC and the WebSocket path, one host", List.of(
                new DistributionChart.Panel("onset, burst written to rendered in the page, ms", List.of(
                        new DistributionChart.Curve("WebRTC", figures.get(MediaPath.WEBRTC).onsets(), 0, false),
                        new DistributionChart.Curve("WebSocket path", figures.get(MediaPath.WEBSOCKET).onsets(), 1,
                                false)),
                        List.of(new DistributionChart.Line(60, "WebSocket target median"))),
                new DistributionChart.Panel("page load to first sound, ms", List.of(
                        new DistributionChart.Curve("WebRTC", figures.get(MediaPath.WEBRTC).firstSound(), 0, false),
                        new DistributionChart.Curve("WebSocket path", figures.get(MediaPath.WEBSOCKET).firstSound(), 1,
                                false)),
                        List.of())));
        String report = report(figures, afterFallback);
        System.out.println(report);
        BenchmarkDocs.replaceSection("websocket-path-benchmark", report);
    }

    private void measureOne(Chromium chromium, MediaPath path, Figures into) throws Exception {
        FirstAudioBenchmark.awaitNoCall(parts.liberty(), true);
        URI page = parts.liberty().httpsUri(path.page + org.rtcsound.testing.TestTokens.user("bench-path"));
        LoopingTone tone = LoopingTone.start(parts.pulse(), "virtspk", TONE_HZ, 0.5);
        try (Chromium.Tab tab = chromium.openPrepared(page, FirstAudioBenchmark.DETECTOR + FOLLOW,
                p -> FirstAudioBenchmark.serveWorklet(p, page, workletFetches))) {
            PageAudio.awaitState(tab, "available", 20_000);
            if (PageAudio.waitFor(tab, "() => window.onsets.length > 0", null, 10_000)) {
                into.firstSound().add(((Number) tab.evaluate("() => window.onsets[0].rendered")).doubleValue());
            }
            tone.close();
            tone = null;
            Sleep.millis(600);
            FirstAudioBenchmark.BurstWriter writer = new FirstAudioBenchmark.BurstWriter(
                    parts.pulse().clientEnvironment());
            try {
                for (int i = 0; i < BURSTS_PER_STREAM; i++) {
                    double sent = FirstAudioBenchmark.epochMillis(writer.burst(0.1, TONE_HZ));
                    Map<?, ?> onset = FirstAudioBenchmark.onsetAfter(tab, sent);
                    if (onset != null) {
                        into.onsets().add(((Number) onset.get("origin")).doubleValue()
                                + ((Number) onset.get("rendered")).doubleValue() - sent);
                    }
                    Sleep.millis(400);
                }
            } finally {
                writer.close();
            }
            if (path == MediaPath.WEBSOCKET) {
                Map<?, ?> player = (Map<?, ?>) tab.evaluate("() => window.rtcsound.socketAudio.figures");
                double played = ((Number) player.get("played")).doubleValue();
                into.concealedPercent().add(100 * ((Number) player.get("concealed")).doubleValue() / played);
                into.underruns().add(((Number) player.get("underruns")).doubleValue());
            }
        } finally {
            if (tone != null) {
                tone.close();
            }
        }
    }

    /** Fresh pages where only https passes: from the page's move to the WebSocket path to its first sound. */
    private List<Double> measureFallbacks() {
        List<Double> times = new ArrayList<>();
        if (FALLBACK_LOADS == 0) {
            return times;
        }
        try (FaultRig rig = FaultRig.start(parts.work(), parts.pulse());
                LoopingTone tone = LoopingTone.start(parts.pulse(), "virtspk", TONE_HZ, 0.5)) {
            rig.allowOnlyHttps();
            for (int i = 0; i < FALLBACK_LOADS; i++) {
                try (Chromium.Tab tab = rig.open("bench-fallback")) {
                    PageAudio.awaitState(tab, "available", 20_000);
                    PageAudio.waitFor(tab, "() => window.rtcsound.timeline.some((e) => e.step === 'first sound')",
                            null, 5000);
                    Number ms = (Number) tab.evaluate("""
                            () => {
                              const at = (step) => window.rtcsound.timeline.find((e) => e.step === step)?.at;
                              return at('first sound') - at('websocket fallback');
                            }""");
                    times.add(ms.doubleValue());
                }
                Sleep.millis(500);
            }
        }
        return times;
    }

    private static String report(Map<MediaPath, Figures> figures, List<Double> afterFallback) {
        StringBuilder md = new StringBuilder();
        md.append("## The WebSocket path beside WebRTC\n\n");
        md.append("Written by `./rtcsound bench` on ").append(Instant.now().truncatedTo(ChronoUnit.SECONDS))
                .append(" (").append(Runtime.getRuntime().availableProcessors())
                .append(" cores). One run, one host (loopback: no loss, no jitter to speak of). Targets are issue 13's.\n\n");
        md.append("| ms, median / p95 (n) | WebRTC | WebSocket path | target (WebSocket path) |\n|---|---|---|---|\n");
        md.append("| onset: a pacat burst written -> its first sample rendered in the page | ")
                .append(summary(figures.get(MediaPath.WEBRTC).onsets())).append(" | ")
                .append(summary(figures.get(MediaPath.WEBSOCKET).onsets())).append(" | <= 60 median |\n");
        md.append("| page load -> first sound rendered (a fresh desktop stream, the page asking for its path) | ")
                .append(summary(figures.get(MediaPath.WEBRTC).firstSound())).append(" | ")
                .append(summary(figures.get(MediaPath.WEBSOCKET).firstSound())).append(" | |\n");
        md.append("| only https passes: the page's move to the WebSocket path -> first sound | - | ")
                .append(summary(afterFallback)).append(" | <= 500 |\n");
        md.append("| concealed samples of the WebSocket path's player, per page (%) | - | ")
                .append(summary(figures.get(MediaPath.WEBSOCKET).concealedPercent())).append(" | < 1 % |\n");
        md.append("| underruns of the player, per page | - | ")
                .append(summary(figures.get(MediaPath.WEBSOCKET).underruns())).append(" | |\n\n");
        md.append("How: ").append(STREAMS).append(" fresh pages per path, in turns (each on a fresh desktop stream: the "
                + "server has freed the last one), each hearing a 1 kHz tone until its first sound, then ")
                .append(BURSTS_PER_STREAM).append(" bursts of 100 ms written by one long-running `pacat --latency-msec=10`, "
                + "400 ms apart. The onset detector is FirstAudioBenchmark's AudioWorklet on `RtcSound.stream` (the same "
                + "MediaStream on both paths), its onsets put on the page's clock with getOutputTimestamp, and the wall "
                + "clock through the page's timeOrigin. The fallback row: ").append(FALLBACK_LOADS)
                .append(" fresh pages in a network namespace where only TCP to rtcsound's https port passes, from the "
                + "page's `websocket fallback` step to its `first sound` (rtcsound.js's timeline). Plot: "
                + "`docs/websocket-path-benchmark.png`.\n");
        return md.toString();
    }

    private static String summary(List<Double> values) {
        if (values.isEmpty()) {
            return "none";
        }
        List<Double> sorted = values.stream().sorted().toList();
        double median = sorted.get(sorted.size() / 2);
        double p95 = sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(0.95 * sorted.size()) - 1));
        return String.format(Locale.ROOT, median < 10 ? "%.2f / %.2f (%d)" : "%.0f / %.0f (%d)", median, p95,
                sorted.size());
    }
}
