package org.rtcsound.it;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

import com.google.gson.JsonArray;
import com.microsoft.playwright.CDPSession;
import com.microsoft.playwright.Page;

import jakarta.json.Json;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.rtcsound.testing.BenchmarkDocs;
import org.rtcsound.testing.Chromium;
import org.rtcsound.testing.DistributionChart;
import org.rtcsound.testing.LibertyServer;
import org.rtcsound.testing.PageAudio;
import org.rtcsound.testing.Processes;
import org.rtcsound.testing.PulseAudioDaemon;
import org.rtcsound.testing.RelayRig;
import org.rtcsound.testing.Sleep;
import org.rtcsound.testing.Suite;
import org.rtcsound.testing.TestTokens;
import org.rtcsound.testing.Tones;

/**
 * Not a test: `./rtcsound bench` runs it (Maven profile "benchmark") to print and record
 * in docs/benchmarks.md (its own section, with docs/first-audio-benchmark.png) how fast
 * sound arrives. Nothing here asserts a target: these machines are shared and noisy, so
 * figures are medians and percentiles of one run, with issue 12's targets beside them.
 *
 * <ul>
 * <li>first audio: fresh page loads (a new tab each, the desktop's stream started afresh
 * for each), while the desktop plays a tone through a low-latency paplay and through a plain
 * one; every stage of the first call on the page's own clock, from rtcsound.js's timeline,
 * the browser's navigation and resource timing, getStats polled every 10 ms (first packet,
 * first audio energy) and the onset AudioWorklet below (the first sound rendered);</li>
 * <li>onset: from the moment a burst is written into the desktop's sink to its first sample
 * in the page, found by an AudioWorklet to the sample and put on the wall clock with
 * AudioContext.getOutputTimestamp(); written into a running pacat and by a new paplay
 * process (its start-up included);</li>
 * <li>microphone onset: a burst made in the page to its detection in the desktop's source.</li>
 * </ul>
 *
 * <p>Alone: {@code flock /tmp/rtcsound-it.lock mvn -B -o verify -Pbenchmark -Dit.test=FirstAudioBenchmark
 * -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false} (about 5 minutes here); {@code -Drtcsound.bench.loads},
 * {@code .relay-loads}, {@code .bursts}, {@code .microphone-bursts} and {@code .onset-streams} change the counts, and
 * {@code -Drtcsound.bench.first-sound=false} leaves the AudioWorklet out of the load pages.
 */
@ExtendWith(Suite.class)
class FirstAudioBenchmark {

    private static final int PAGE_LOADS = Integer.getInteger("rtcsound.bench.loads", 50);
    private static final int RELAY_LOADS = Integer.getInteger("rtcsound.bench.relay-loads", 15);
    private static final int BURSTS = Integer.getInteger("rtcsound.bench.bursts", 50);
    private static final int MICROPHONE_BURSTS = Integer.getInteger("rtcsound.bench.microphone-bursts", 50);
    /** Fresh desktop streams (and pages) the onset bursts are spread over, and the microphone's over as many calls. */
    private static final int ONSET_STREAMS = Integer.getInteger("rtcsound.bench.onset-streams", 5);
    private static final int RATE = Tones.RATE;
    /** Long enough for a turn of loads; each turn starts its writer's tone again. */
    private static final double TONE_SECONDS = 60;
    private static final int LOADS_PER_TURN = 5;
    private static final long LOAD_TIMEOUT_MS = 15_000;
    /**
     * false: the load pages run no onset AudioWorklet (no first-sound rows), to see what the
     * probe's own AudioContext costs a page load.
     */
    private static final boolean FIRST_SOUND = Boolean.parseBoolean(System.getProperty("rtcsound.bench.first-sound",
            "true"));
    private static final String NO_DETECTOR = "window.startOnsetDetector = async () => { throw new Error('off'); };\n";

    /** What the previous run wrote in this section (docs/benchmarks.md before issue 12's rework): median / p95. */
    private static final String PREVIOUS_FIRST_AUDIO = "428 / 641";
    private static final String PREVIOUS_FIRST_AUDIO_RANGE = "355 - 641";
    private static final String PREVIOUS_AVAILABLE = "478 / 712";
    private static final String PREVIOUS_RELAY_FIRST_AUDIO = "562 / 713";
    private static final String PREVIOUS_RELAY_AVAILABLE = "613 / 774";
    private static final String PREVIOUS_ONSET_PACAT = "48 / 55";
    private static final String PREVIOUS_ONSET_PAPLAY = "54 / 60";
    private static final String PREVIOUS_MICROPHONE = "172 / 324";

    private final Suite.Parts parts;
    /** Fetches of the worklet's module the benchmark answered, and pages that asked for it. */
    private final AtomicInteger workletFetches = new AtomicInteger();
    private int workletPages;
    /** Microphone bursts sent before the first one of a call was heard (not counted), and each call's median. */
    private int microphoneWarmUps;
    private final List<Double> microphoneCallMedians = new ArrayList<>();

    FirstAudioBenchmark(Suite.Parts parts) {
        this.parts = parts;
    }

    /** How the desktop plays its tone while pages load. */
    private enum Writer {
        LOW_LATENCY("`paplay --latency-msec=20`"),
        DEFAULT_LATENCY("plain `paplay`");

        final String label;

        Writer(String label) {
            this.label = label;
        }

        Process play(PulseAudioDaemon desktop, Path wav) {
            return this == LOW_LATENCY ? desktop.play(wav, "virtspk") : desktop.playAtDefaultLatency(wav, "virtspk");
        }
    }

    @Test
    void measure() throws Exception {
        Chromium chromium = Chromium.launchTrusting(parts.liberty());
        try {
            Map<Writer, List<PageLoad>> loads = measureFirstAudio(chromium, parts.liberty(),
                    List.of(Writer.values()), PAGE_LOADS, true);
            List<PageLoad> relayLoads = List.of();
            if (RELAY_LOADS > 0) {
                try (RelayRig relay = RelayRig.start(parts)) {
                    relayLoads = measureFirstAudio(relay.chromium(), relay.server(), List.of(Writer.LOW_LATENCY),
                            RELAY_LOADS, false).get(Writer.LOW_LATENCY);
                }
            }
            Onsets onsets = measureOnsets(chromium);
            List<Double> microphoneOnsets = measureMicrophoneOnsets(chromium);
            // the module's path asked of the server itself: the module cannot have come from there
            WorkletServing serving = new WorkletServing(workletFetches.get(), workletPages,
                    parts.liberty().get(WORKLET_PATH).statusCode());

            Path png = BenchmarkDocs.directory().resolve("first-audio-benchmark.png");
            List<DistributionChart.Curve> firstAudio = new ArrayList<>();
            for (Writer writer : loads.keySet()) {
                String name = writer.label.replace("`", "");
                firstAudio.add(new DistributionChart.Curve(name + ": first audio energy",
                        loads.get(writer).stream().map(PageLoad::firstAudio).toList(), writer.ordinal(), false));
                firstAudio.add(new DistributionChart.Curve(name + ": first sound",
                        loads.get(writer).stream().map(PageLoad::firstSoundOrMissed).toList(), writer.ordinal(), true));
            }
            DistributionChart.write(png, "rtcsound: page load to first audio, and desktop to page onset", List.of(
                    new DistributionChart.Panel("page load to first audio, ms (fresh loads)", firstAudio, List.of(
                            new DistributionChart.Line(300, "target median"),
                            new DistributionChart.Line(500, "target p95"))),
                    new DistributionChart.Panel("onset, burst written to rendered in the page, ms", List.of(
                            new DistributionChart.Curve("onset: pacat (low latency)", onsets.pacat().rendered(), 2,
                                    false),
                            new DistributionChart.Curve("onset: paplay (started per burst)",
                                    onsets.paplay().rendered(), 3, false)),
                            List.of(new DistributionChart.Line(35, "target median"),
                                    new DistributionChart.Line(50, "target p95")))));

            String report = report(loads, relayLoads, onsets, microphoneOnsets, serving);
            System.out.println(report);
            // only this benchmark's section of docs/benchmarks.md: the load benchmark has its own
            BenchmarkDocs.replaceSection("first-audio-benchmark", report);
        } finally {
            chromium.close();
        }
    }

    // ---------------------------------------------------------------- finding onsets in the page

    /** The page's own origin serves this module (see {@link #serve}: the page's CSP refuses blob: scripts). */
    static final String WORKLET_PATH = "/bench-onset-worklet.js";

    /**
     * Finds the exact sample where a burst starts: the first sample over the threshold after
     * at least 200 ms below it, posted as its frame on the context's timeline (currentFrame
     * is the first frame of this render quantum), with the worklet's own Date.now() as a
     * rough check of when it was rendered.
     */
    private static final String WORKLET = """
            class OnsetDetector extends AudioWorkletProcessor {
              constructor() {
                super();
                this.quietNeeded = Math.round(0.2 * sampleRate);
                this.quietFrames = this.quietNeeded; // nothing heard yet: quiet, so a sound at once is an onset
              }
              process(inputs) {
                const samples = inputs[0]?.[0];
                if (!samples) {
                  this.quietFrames += 128;
                  return true;
                }
                for (let i = 0; i < samples.length; i++) {
                  if (Math.abs(samples[i]) > 0.05) {
                    if (this.quietFrames >= this.quietNeeded) {
                      this.port.postMessage({ frame: currentFrame + i, processedAt: Date.now() });
                    }
                    this.quietFrames = 0;
                  } else {
                    this.quietFrames++;
                  }
                }
                return true;
              }
            }
            registerProcessor('bench-onset', OnsetDetector);
            """;

    /**
     * Defines window.startOnsetDetector() in the page: an AudioContext running the worklet,
     * which listen(stream) feeds. Each onset it finds is put on the page's clock:
     * getOutputTimestamp() pairs a context time with the performance time it is played out
     * at, and the median offset of the last 25 pairs (one every 20 ms: they come from the audio
     * device's callbacks, so each jitters a little) turns the onset's frame into its
     * played-out time; rendered = played out - (outputLatency + baseLatency). Times are ms on
     * the page's clock, with the page's timeOrigin beside them to put them on the wall clock.
     */
    static final String DETECTOR = """
            window.startOnsetDetector = async () => {
              const ctx = new AudioContext({ sampleRate: 48000 });
              await ctx.resume();
              await ctx.audioWorklet.addModule('%s');
              const detector = new AudioWorkletNode(ctx, 'bench-onset', { outputChannelCount: [1] });
              detector.connect(ctx.destination);
              const offsets = [];
              const pair = () => {
                const t = ctx.getOutputTimestamp();
                if (t.contextTime > 0 && t.performanceTime > 0) {
                  offsets.push(t.performanceTime - t.contextTime * 1000);
                  if (offsets.length > 25) offsets.shift();
                }
              };
              setInterval(pair, 20);
              const onsets = [];
              detector.port.onmessage = ({ data }) => {
                const receivedAt = performance.now();
                pair();
                if (!offsets.length) return;
                const sorted = [...offsets].sort((a, b) => a - b);
                const playedOut = sorted[Math.floor(sorted.length / 2)] + data.frame / ctx.sampleRate * 1000;
                const latency = ((ctx.outputLatency || 0) + (ctx.baseLatency || 0)) * 1000;
                onsets.push({ playedOut, rendered: playedOut - latency, latency,
                              offsetSpread: sorted[sorted.length - 1] - sorted[0],
                              processedAt: data.processedAt - performance.timeOrigin, receivedAt,
                              origin: performance.timeOrigin });
              };
              let source = null;
              return {
                onsets,
                latencies: () => ({ outputLatency: ctx.outputLatency ?? null, baseLatency: ctx.baseLatency ?? null }),
                listen(stream) {
                  source?.disconnect();
                  source = ctx.createMediaStreamSource(stream);
                  source.connect(detector);
                },
              };
            };
            """.formatted(WORKLET_PATH);

    /**
     * Answers the page's requests for the worklet's module, on the page's own origin, through
     * DevTools' own Fetch domain (the one Playwright's routing is built on): Playwright's
     * page.route and context.route never see an AudioWorklet's module fetch (checked with
     * Chromium 156 and Playwright 1.52: it went to the server, which answered 404). Counts the
     * requests it answered in {@code answered}.
     */
    static void serveWorklet(Page page, URI pageUri, AtomicInteger answered) {
        String url = pageUri.getScheme() + "://" + pageUri.getRawAuthority() + WORKLET_PATH;
        String body = Base64.getEncoder().encodeToString(WORKLET.getBytes(StandardCharsets.UTF_8));
        CDPSession devTools = page.context().newCDPSession(page);
        devTools.on("Fetch.requestPaused", paused -> {
            com.google.gson.JsonObject reply = new com.google.gson.JsonObject();
            reply.addProperty("requestId", paused.get("requestId").getAsString());
            if (!paused.getAsJsonObject("request").get("url").getAsString().equals(url)) {
                devTools.send("Fetch.continueRequest", reply);
                return;
            }
            answered.incrementAndGet();
            com.google.gson.JsonObject contentType = new com.google.gson.JsonObject();
            contentType.addProperty("name", "Content-Type");
            contentType.addProperty("value", "text/javascript");
            JsonArray headers = new JsonArray();
            headers.add(contentType);
            reply.addProperty("responseCode", 200);
            reply.add("responseHeaders", headers);
            reply.addProperty("body", body);
            devTools.send("Fetch.fulfillRequest", reply);
        });
        com.google.gson.JsonObject pattern = new com.google.gson.JsonObject();
        pattern.addProperty("urlPattern", url);
        JsonArray patterns = new JsonArray();
        patterns.add(pattern);
        com.google.gson.JsonObject enable = new com.google.gson.JsonObject();
        enable.add("patterns", patterns);
        devTools.send("Fetch.enable", enable);
    }

    // ---------------------------------------------------------------- first audio

    /**
     * Runs before the page's own scripts (after {@link #DETECTOR}): polls getStats of the
     * client's current call every 10 ms and notes, per call, when its first audio packet and
     * its first audio energy were seen (the stats' own timestamp, ms since navigation start:
     * the clock of rtcsound.js's timeline), and when the page said "sound available"; the
     * onset detector listens to each call's stream, and its first onset is the first sound.
     */
    private static final String PROBE = """
            window.firstAudioProbe = { calls: {}, available: null, sounds: [] };
            let detector = null;
            window.startOnsetDetector().then((d) => { detector = d; window.firstAudioProbe.sounds = d.onsets; },
                                             (e) => { window.firstAudioProbe.detectorError = String(e); });
            (async () => {
              const started = performance.now();
              let listening = false;
              let heard = null;
              // what the receiver had done by then: packets in, samples played out, of them concealed
              const snapshot = (r, at) => ({ at, packetsReceived: r.packetsReceived,
                                             totalSamplesReceived: r.totalSamplesReceived ?? null,
                                             concealedSamples: r.concealedSamples ?? null,
                                             silentConcealedSamples: r.silentConcealedSamples ?? null,
                                             jitterBufferDelay: r.jitterBufferDelay ?? null,
                                             jitterBufferEmittedCount: r.jitterBufferEmittedCount ?? null });
              while (performance.now() - started < 20000) {
                const client = window.rtcsound;
                if (client && !listening) {
                  listening = true;
                  client.addEventListener('status', ({ detail }) => {
                    if (detail.state === 'available' && window.firstAudioProbe.available === null) {
                      window.firstAudioProbe.available = performance.now();
                    }
                  });
                }
                if (detector && client?.remoteStream && client.remoteStream !== heard) {
                  heard = client.remoteStream;
                  detector.listen(heard);
                }
                const pc = client?.peerConnection;
                if (pc) {
                  const call = window.firstAudioProbe.calls[client.calls] ??= { firstPacket: null, firstAudio: null };
                  if (call.firstAudio === null) {
                    const stats = await pc.getStats();
                    // When the report was gathered (RTCStats.timestamp, on the epoch clock; every entry has
                    // it, and inbound-rtp only comes with the first packet). Chromium hands out the same
                    // report for 50 ms, so a change happened after the report before (a lower bound,
                    // kept) and by this one.
                    const gathered = stats.values().next().value?.timestamp;
                    const at = gathered === undefined ? performance.now() : gathered - performance.timeOrigin;
                    if (at !== call.report) {
                      call.reportBefore = call.report ?? null;
                      call.report = at;
                    }
                    for (const r of stats.values()) {
                      if (r.type === 'inbound-rtp' && r.kind === 'audio') {
                        if (r.packetsReceived > 0 && call.firstPacket === null) {
                          // the arrival of the latest packet it counts: the first one came by then
                          call.firstPacket = (r.lastPacketReceivedTimestamp ?? r.timestamp) - performance.timeOrigin;
                          call.noPacketBefore = call.reportBefore;
                          call.atFirstPacket = snapshot(r, at);
                        }
                        if (r.totalAudioEnergy > 0) {
                          call.firstAudio = at;
                          call.noEnergyBefore = call.reportBefore;
                          call.atFirstAudio = snapshot(r, at);
                        }
                      }
                    }
                  }
                }
                await new Promise((r) => setTimeout(r, 10));
              }
            })();
            """;

    /**
     * Everything the page knows of its load, as one JSON text: rtcsound.js's own record, the
     * probe's, and the browser's navigation and resource timing (the same clock) of the
     * document, its module scripts and the REST calls.
     */
    private static final String RECORD = """
            () => {
              const navigation = performance.getEntriesByType('navigation')[0];
              const resources = performance.getEntriesByType('resource').map((r) => ({
                name: new URL(r.name).pathname, startTime: r.startTime, responseEnd: r.responseEnd }));
              return JSON.stringify({ calls: window.rtcsound.calls, connectTimeouts: window.rtcsound.connectTimeouts,
                                      timeline: window.rtcsound.timeline, probe: window.firstAudioProbe,
                                      documentReceived: navigation?.responseEnd ?? null, resources });
            }""";

    /** One page load as the page recorded it; times are ms since its navigation started. */
    private record PageLoad(JsonObject page) {

        int calls() {
            return page.getInt("calls");
        }

        int connectTimeouts() {
            return page.getInt("connectTimeouts");
        }

        boolean restarted() {
            return calls() > 1 || connectTimeouts() > 0;
        }

        /** When the first call reached a step of rtcsound.js's timeline, or NaN. */
        double at(String step) {
            for (JsonValue value : page.getJsonArray("timeline")) {
                JsonObject entry = value.asJsonObject();
                if (entry.getInt("call") == 1 && entry.getString("step").equals(step)) {
                    return entry.getJsonNumber("at").doubleValue();
                }
            }
            return Double.NaN;
        }

        /** A figure of the first call's probe (firstPacket, firstAudio), or NaN. */
        double probe(String key) {
            JsonObject calls = page.getJsonObject("probe").getJsonObject("calls");
            JsonObject first = calls.containsKey("1") ? calls.getJsonObject("1") : null;
            return first != null && first.get(key) instanceof JsonNumber n ? n.doubleValue() : Double.NaN;
        }

        /** The first audio energy of whichever call heard it first (a rebuilt call included), or -1. */
        double firstAudio() {
            double first = Double.NaN;
            JsonObject calls = page.getJsonObject("probe").getJsonObject("calls");
            for (String call : calls.keySet()) {
                if (calls.getJsonObject(call).get("firstAudio") instanceof JsonNumber n) {
                    first = Double.isNaN(first) ? n.doubleValue() : Math.min(first, n.doubleValue());
                }
            }
            return Double.isNaN(first) ? -1 : first;
        }

        /** The first onset the page's AudioWorklet found ("rendered", or "playedOut"), or NaN. */
        double firstSound(String which) {
            return page.getJsonObject("probe").getJsonArray("sounds").stream().map(JsonValue::asJsonObject)
                    .mapToDouble(o -> o.getJsonNumber(which).doubleValue()).min().orElse(Double.NaN);
        }

        /** As {@link #firstSound(String)} rendered, -1 (missed) if none. */
        double firstSoundOrMissed() {
            double sound = firstSound("rendered");
            return Double.isNaN(sound) ? -1 : sound;
        }

        double available() {
            return page.getJsonObject("probe").get("available") instanceof JsonNumber n ? n.doubleValue() : -1;
        }

        /** When the document's last byte came (navigation timing), or NaN. */
        double documentReceived() {
            return page.get("documentReceived") instanceof JsonNumber n ? n.doubleValue() : Double.NaN;
        }

        /** When the first of the resources whose path satisfies {@code which} was asked for, or NaN. */
        double requested(java.util.function.Predicate<String> which) {
            return page.getJsonArray("resources").stream().map(JsonValue::asJsonObject)
                    .filter(r -> which.test(r.getString("name")))
                    .mapToDouble(r -> r.getJsonNumber("startTime").doubleValue()).min().orElse(Double.NaN);
        }

        /** When the last of the resources whose path satisfies {@code which} was received, or NaN. */
        double received(java.util.function.Predicate<String> which) {
            return page.getJsonArray("resources").stream().map(JsonValue::asJsonObject)
                    .filter(r -> which.test(r.getString("name")))
                    .mapToDouble(r -> r.getJsonNumber("responseEnd").doubleValue()).max().orElse(Double.NaN);
        }

        /**
         * A receiver figure at the first call's
         * first packet ("atFirstPacket") or first audio ("atFirstAudio"), or NaN.
         */
        double receiver(String when, String key) {
            JsonObject calls = page.getJsonObject("probe").getJsonObject("calls");
            JsonObject first = calls.containsKey("1") ? calls.getJsonObject("1") : null;
            JsonObject snapshot = first != null && first.get(when) instanceof JsonObject o ? o : null;
            return snapshot != null && snapshot.get(key) instanceof JsonNumber n ? n.doubleValue() : Double.NaN;
        }
    }

    /**
     * {@code count} fresh loads per writer, in turns of {@link #LOADS_PER_TURN} (so that the JVM
     * warming up and the machine's other work weigh on the writers alike), each writer's first
     * turn after one warm-up load (it warms the JVM and Chromium's caches up). A turn starts
     * its writer's tone and stops it after. With {@code fromIdle}, each load waits until the
     * server has freed the last one's call and stream (the suite's linger is 0), so that each
     * starts the desktop's stream afresh; else until its call is freed.
     */
    private Map<Writer, List<PageLoad>> measureFirstAudio(Chromium chromium, LibertyServer server,
            List<Writer> writers, int count, boolean fromIdle) {
        Path tone = Tones.sine(parts.work().resolve("bench-tone.wav"), 440, TONE_SECONDS, 0.5);
        Map<Writer, List<PageLoad>> loads = new LinkedHashMap<>();
        writers.forEach(writer -> loads.put(writer, new ArrayList<>()));
        while (loads.values().stream().anyMatch(list -> list.size() < count)) {
            for (Writer writer : writers) {
                List<PageLoad> list = loads.get(writer);
                boolean warmUp = list.isEmpty();
                int turn = Math.min(LOADS_PER_TURN, count - list.size()) + (warmUp ? 1 : 0);
                Process player = writer.play(parts.pulse(), tone);
                try {
                    Sleep.millis(500);
                    for (int i = 0; i < turn; i++) {
                        awaitNoCall(server, fromIdle);
                        PageLoad load = load(chromium, server, workletFetches);
                        workletPages++;
                        if (!(warmUp && i == 0)) {
                            list.add(load);
                        }
                    }
                } finally {
                    player.destroy();
                }
            }
        }
        return loads;
    }

    private static PageLoad load(Chromium chromium, LibertyServer server, AtomicInteger workletFetches) {
        URI uri = server.httpsUri("/#jwt_token=" + TestTokens.user("bench"));
        try (Chromium.Tab tab = chromium.openPrepared(uri, (FIRST_SOUND ? DETECTOR : NO_DETECTOR) + PROBE,
                page -> serveWorklet(page, uri, workletFetches))) {
            boolean heard = PageAudio.waitFor(tab, """
                    () => Object.values(window.firstAudioProbe.calls).some((c) => c.firstAudio !== null)""", null,
                    LOAD_TIMEOUT_MS);
            // the worklet's first onset normally comes first; a little longer in case it does not
            PageAudio.waitFor(tab, "() => window.firstAudioProbe.sounds.length > 0", null, FIRST_SOUND ? 1000 : 0);
            PageLoad load = new PageLoad(Json.createReader(new StringReader((String) tab.evaluate(RECORD, null)))
                    .readObject());
            if (!heard || load.firstAudio() > 1500 || load.restarted()) { // an outlier: say why
                System.out.println("slow page load (" + load.page() + "):\n" + String.join("\n", tab.timedConsole()));
            }
            return load;
        }
    }

    /** Waits (up to 10 s) until the server has no session left, and with {@code idle} no listener or stream either. */
    static void awaitNoCall(LibertyServer server, boolean idle) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        JsonObject status = server.status();
        while (status.getInt("sessions") > 0 || status.getInt("listeners") > 0
                || (idle && status.getInt("desktopStreamsLive") > 0)) {
            if (System.nanoTime() > deadline) {
                System.out.println("the server still has the last load's call: " + status);
                return;
            }
            Sleep.millis(20);
            status = server.status();
        }
    }

    /** One stage of the first call: how the page sees it, and its value for a load (NaN when not seen). */
    private record Stage(String name, String seenAs, ToDoubleFunction<PageLoad> value, String target) {
    }

    private static List<Stage> stages() {
        return List.of(
                new Stage("page load -> WebSocket open", "navigation start (0) -> 'socket open'",
                        l -> l.at("socket open"), ""),
                new Stage("&nbsp;&nbsp;of which page load -> document received", "0 -> navigation timing responseEnd",
                        PageLoad::documentReceived, ""),
                new Stage("&nbsp;&nbsp;of which document -> module scripts received",
                        "responseEnd -> the last .js resource's responseEnd",
                        l -> l.received(name -> name.endsWith(".js")) - l.documentReceived(), ""),
                new Stage("&nbsp;&nbsp;of which scripts -> page.js runs",
                        "-> /API/rtcsound/page-info's startTime (page.js asks for it first; the modules' compiling is inside)",
                        l -> l.requested(name -> name.equals("/API/rtcsound/page-info"))
                                - l.received(name -> name.endsWith(".js")), ""),
                new Stage("&nbsp;&nbsp;of which page.js runs -> rtcsound.js calls",
                        "-> 'call' (page.js's own top level; a page given its token does not wait for page-info)",
                        l -> l.at("call") - l.requested(name -> name.equals("/API/rtcsound/page-info")), ""),
                new Stage("&nbsp;&nbsp;of which call -> WebSocket open", "'call' -> 'socket open' (TLS, upgrade)",
                        l -> l.at("socket open") - l.at("call"), ""),
                new Stage("WebSocket open -> HELLO answered", "'socket open' (HELLO sent) -> 'hello'",
                        l -> l.at("hello") - l.at("socket open"), ""),
                new Stage("HELLO -> offer", "'hello' -> 'offer'; the server's stream start and webrtcbin's"
                        + " create-offer are inside, not seen apart in the page", l -> l.at("offer") - l.at("hello"),
                        "<= 20"),
                new Stage("offer -> answer sent", "'offer' -> 'answer sent'", l -> l.at("answer sent") - l.at("offer"),
                        ""),
                new Stage("answer -> ICE connected", "'answer sent' -> 'ice connected'",
                        l -> l.at("ice connected") - l.at("answer sent"), ""),
                new Stage("ICE -> DTLS connected", "'ice connected' -> 'dtls connected'",
                        l -> l.at("dtls connected") - l.at("ice connected"), ""),
                new Stage("DTLS -> connected", "'dtls connected' -> 'connection connected'",
                        l -> l.at("connection connected") - l.at("dtls connected"), ""),
                new Stage("connected -> first packet", "'connection connected' -> the latest packet's arrival "
                        + "(lastPacketReceivedTimestamp) in the first getStats report that counts packets; when the "
                        + "server sent it is not seen in the page",
                        l -> l.probe("firstPacket") - l.at("connection connected"), ""),
                new Stage("first packet -> first audio energy",
                        "-> the first getStats report with totalAudioEnergy > 0",
                        l -> l.probe("firstAudio") - l.probe("firstPacket"), ""),
                new Stage("&nbsp;&nbsp;of which first packet -> first sound rendered",
                        "-> the AudioWorklet's first sample over 0.05 (rendered)",
                        l -> l.firstSound("rendered") - l.probe("firstPacket"), ""),
                new Stage("&nbsp;&nbsp;of which first sound -> first audio energy",
                        "-> totalAudioEnergy > 0 (WebRTC's level meter, see below)",
                        l -> l.probe("firstAudio") - l.firstSound("rendered"), ""),
                new Stage("offer -> first audio energy", "'offer' -> totalAudioEnergy > 0",
                        l -> l.probe("firstAudio") - l.at("offer"), "<= 150"),
                new Stage("offer -> first sound rendered", "'offer' -> the AudioWorklet's first sample",
                        l -> l.firstSound("rendered") - l.at("offer"), "(<= 150)"),
                new Stage("**total: page load -> first audio energy**", "0 -> totalAudioEnergy > 0",
                        l -> l.probe("firstAudio"), "<= 300 median, <= 500 p95"),
                new Stage("**total: page load -> first sound rendered**", "0 -> the AudioWorklet's first sample",
                        l -> l.firstSound("rendered"), "(<= 300 median, <= 500 p95)"));
    }

    // ---------------------------------------------------------------- onsets

    /** One writer's onsets, ms after the burst was written: to its first sample rendered and played out in the page. */
    private record OnsetSeries(List<Double> rendered, List<Double> playedOut, List<Double> spread,
            List<Double> workletMinusRendered, List<Double> streamMedians) {

        OnsetSeries() {
            this(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        }

        /** Notes the median (rendered) of the bursts added since {@code from}: one stream's. */
        void endStream(int from) {
            streamMedians.add(Summary.of(rendered.subList(from, rendered.size())).median());
        }

        void add(Map<?, ?> onset, double sentMs) {
            if (onset == null) {
                rendered.add(-1.0);
                playedOut.add(-1.0);
                return;
            }
            double origin = number(onset, "origin"); // the page's clock -> the wall clock
            double renderedAt = number(onset, "rendered");
            rendered.add(origin + renderedAt - sentMs);
            playedOut.add(origin + number(onset, "playedOut") - sentMs);
            spread.add(number(onset, "offsetSpread"));
            workletMinusRendered.add(number(onset, "processedAt") - renderedAt);
        }
    }

    /**
     * Both writers' onsets, the context's latencies, and the mean time the page's jitter
     * buffer held the audio while they played (ms, from getStats).
     */
    private record Onsets(OnsetSeries pacat, OnsetSeries paplay, Map<?, ?> context, double jitterBufferMs) {
    }

    /** inbound-rtp [jitterBufferDelay (s), jitterBufferEmittedCount] of the page's call. */
    private static double[] jitterBuffer(Chromium.Tab tab) {
        double[] figures = inboundFigures(tab);
        return new double[] {figures[2], figures[3]};
    }

    /**
     * inbound-rtp [concealedSamples, totalSamplesReceived, jitterBufferDelay (s),
     * jitterBufferEmittedCount, jitterBufferTargetDelay (s), jitter (s, RFC 3550 interarrival)]
     * of the page's call; zeros before it has one.
     */
    static double[] inboundFigures(Chromium.Tab tab) {
        List<?> values = (List<?>) tab.page().evaluate("""
                async () => {
                  const pc = window.rtcsound.peerConnection;
                  for (const r of pc ? (await pc.getStats()).values() : []) {
                    if (r.type === 'inbound-rtp' && r.kind === 'audio') {
                      return [r.concealedSamples ?? 0, r.totalSamplesReceived ?? 0,
                              r.jitterBufferDelay ?? 0, r.jitterBufferEmittedCount ?? 0,
                              r.jitterBufferTargetDelay ?? 0, r.jitter ?? 0];
                    }
                  }
                  return [0, 0, 0, 0, 0, 0];
                }""");
        return values.stream().mapToDouble(v -> ((Number) v).doubleValue()).toArray();
    }

    /**
     * The bursts over {@link #ONSET_STREAMS} fresh desktop streams, one page each (a stream's
     * onset latency is settled when it starts: the bursts of one stream spread little, while
     * streams differ), each stream's share of the pacat bursts, then of the paplay ones.
     */
    private Onsets measureOnsets(Chromium chromium) throws Exception {
        Path burstFile = Tones.sine(parts.work().resolve("bench-burst.wav"), 1000, 0.1, 0.5);
        OnsetSeries paced = new OnsetSeries();
        OnsetSeries paplay = new OnsetSeries();
        Map<?, ?> context = Map.of();
        double jitterBufferDelay = 0;
        double jitterBufferEmitted = 0;
        for (int stream = 0; stream < ONSET_STREAMS; stream++) {
            int bursts = share(BURSTS, stream);
            awaitNoCall(parts.liberty(), true);
            URI page = parts.liberty().httpsUri("/#jwt_token=" + TestTokens.user("bench-onset"));
            try (Chromium.Tab tab = chromium.openPrepared(page, DETECTOR, p -> serveWorklet(p, page, workletFetches))) {
                workletPages++;
                PageAudio.awaitState(tab, "available", 20_000);
                context = (Map<?, ?>) tab.page().evaluate("""
                        async () => {
                          const detector = await window.startOnsetDetector();
                          detector.listen(window.rtcsound.remoteStream);
                          window.onsets = detector.onsets;
                          await new Promise((r) => setTimeout(r, 500));
                          return detector.latencies();
                        }""");
                double[] before = jitterBuffer(tab);
                int from = paced.rendered().size();
                BurstWriter writer = new BurstWriter(parts.pulse().clientEnvironment());
                try {
                    for (int i = 0; i < bursts; i++) {
                        double sent = epochMillis(writer.burst(0.1, 1000));
                        paced.add(onsetAfter(tab, sent), sent);
                        Sleep.millis(400);
                    }
                } finally {
                    writer.close();
                }
                paced.endStream(from);
                from = paplay.rendered().size();
                for (int i = 0; i < bursts; i++) {
                    double sent = epochMillis(Instant.now());
                    Process process = parts.pulse().play(burstFile, "virtspk");
                    paplay.add(onsetAfter(tab, sent), sent);
                    process.waitFor();
                    Sleep.millis(400);
                }
                paplay.endStream(from);
                double[] after = jitterBuffer(tab);
                jitterBufferDelay += after[0] - before[0];
                jitterBufferEmitted += after[1] - before[1];
            }
        }
        double jitterBufferMs = jitterBufferEmitted > 0 ? 1000 * jitterBufferDelay / jitterBufferEmitted : Double.NaN;
        return new Onsets(paced, paplay, context, jitterBufferMs);
    }

    /** Stream {@code stream}'s share of {@code total} bursts over {@link #ONSET_STREAMS} streams. */
    private static int share(int total, int stream) {
        return total / ONSET_STREAMS + (stream < total % ONSET_STREAMS ? 1 : 0);
    }

    static double epochMillis(Instant instant) {
        return instant.getEpochSecond() * 1000.0 + instant.getNano() / 1e6;
    }

    /** The first onset whose message reached the page's main thread after {@code sentMs}, or null (none in 1 s). */
    static Map<?, ?> onsetAfter(Chromium.Tab tab, double sentMs) {
        for (int i = 0; i < 200; i++) {
            Object found = tab.page().evaluate("t => window.onsets.find(o => o.origin + o.receivedAt > t) ?? null",
                    sentMs);
            if (found != null) {
                return (Map<?, ?>) found;
            }
            Sleep.millis(5);
        }
        return null;
    }

    static double number(Map<?, ?> map, String key) {
        return map.get(key) instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    /**
     * Writes bursts into the desktop's sink through one long-running pacat. Between bursts
     * pacat writes nothing (PulseAudio plays silence on the underrun), so nothing queues
     * ahead of a burst: it plays as soon as it is written. (Feeding silence in real time
     * instead filled the 64 KiB pipe once the stream stalled at start, adding 340 ms.)
     */
    static final class BurstWriter implements AutoCloseable {
        private final Process pacat;
        private final OutputStream out;

        BurstWriter(Map<String, String> env) {
            pacat = Processes.start(List.of("pacat", "--playback", "--device=virtspk", "--rate=48000",
                    "--channels=2", "--format=s16le", "--latency-msec=10", "--raw"), env, null);
            out = pacat.getOutputStream();
            Sleep.millis(300);
        }

        Instant burst(double seconds, double frequency) throws IOException {
            int frames = (int) (RATE * seconds);
            ByteBuffer pcm = ByteBuffer.allocate(frames * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < frames; i++) {
                short s = (short) (0.5 * Short.MAX_VALUE * Math.sin(2 * Math.PI * frequency * i / RATE));
                pcm.putShort(s).putShort(s);
            }
            Instant now = Instant.now();
            try {
                out.write(pcm.array());
                out.flush();
            } catch (IOException e) {
                throw new IOException("pacat stopped taking the burst: " + whyStopped(), e);
            }
            return now;
        }

        private String whyStopped() {
            if (pacat.isAlive()) {
                return "still running";
            }
            try {
                return "exit " + pacat.exitValue() + ", " + new String(pacat.getInputStream().readAllBytes()).strip();
            } catch (IOException e) {
                return "exit " + pacat.exitValue();
            }
        }

        @Override
        public void close() {
            Processes.stop(pacat);
        }
    }

    /** In the page: a 1 kHz oscillator as the microphone track, silent until window.micBurst() (100 ms) or micTone(s). */
    static final String BURST_MICROPHONE = """
            async () => {
              const ctx = new AudioContext({ sampleRate: 48000 });
              await ctx.resume();
              const oscillator = ctx.createOscillator();
              oscillator.frequency.value = 1000;
              const gain = ctx.createGain();
              gain.gain.value = 0;
              const destination = ctx.createMediaStreamDestination();
              oscillator.connect(gain).connect(destination);
              oscillator.start();
              await window.rtcsound.peerConnection.getTransceivers()[0].sender
                  .replaceTrack(destination.stream.getAudioTracks()[0]);
              window.micBurst = () => {
                gain.gain.setValueAtTime(0.5, ctx.currentTime);
                gain.gain.setValueAtTime(0, ctx.currentTime + 0.1);
                return performance.timeOrigin + performance.now();
              };
              window.micTone = (seconds) => {
                gain.gain.setValueAtTime(0.5, ctx.currentTime);
                gain.gain.setValueAtTime(0, ctx.currentTime + seconds);
              };
            }""";

    /**
     * Microphone onset: a burst started in the page to its detection in the desktop's
     * default source, read by parec in 5 ms chunks (parec's own 10 ms latency included).
     */
    private List<Double> measureMicrophoneOnsets(Chromium chromium) throws Exception {
        List<Double> onsets = new ArrayList<>();
        DesktopSourceListener source = new DesktopSourceListener(parts.pulse().clientEnvironment());
        List<Double> loudChunks = source.loudChunks();
        try {
            for (int call = 0; call < ONSET_STREAMS; call++) {
                awaitNoCall(parts.liberty(), true);
                URI page = parts.liberty().httpsUri("/#jwt_token=" + TestTokens.user("bench-mic"));
                try (Chromium.Tab tab = chromium.open(page)) {
                    PageAudio.awaitState(tab, "available", 20_000);
                    tab.page().evaluate(BURST_MICROPHONE);
                    Sleep.millis(500);
                    // warm-up: the microphone's path through the server may take a moment to start; up to 10 s
                    for (int i = 0; i < 20 && microphoneBurst(tab, loudChunks) < 0; i++) {
                        microphoneWarmUps++;
                    }
                    int from = onsets.size();
                    for (int i = 0; i < share(MICROPHONE_BURSTS, call); i++) {
                        onsets.add(microphoneBurst(tab, loudChunks));
                    }
                    microphoneCallMedians.add(Summary.of(onsets.subList(from, onsets.size())).median());
                }
            }
        } finally {
            source.close();
        }
        return onsets;
    }

    /** One burst: ms from the page scheduling it to parec's first loud chunk after that, or -1 (none in 500 ms). */
    static double microphoneBurst(Chromium.Tab tab, List<Double> loudChunks) {
        double sent = ((Number) tab.page().evaluate("window.micBurst()")).doubleValue();
        Sleep.millis(500);
        double heard;
        synchronized (loudChunks) {
            heard = loudChunks.stream().mapToDouble(Double::doubleValue).filter(t -> t > sent).min().orElse(-1);
        }
        return heard < 0 ? -1 : heard - sent;
    }

    // ---------------------------------------------------------------- the report

    /** How the worklet's module was served: fetches answered, pages that asked, what the server says for its path. */
    private record WorkletServing(int fetches, int pages, int serverStatus) {
    }

    private String report(Map<Writer, List<PageLoad>> loads, List<PageLoad> relayLoads, Onsets onsets,
            List<Double> microphone, WorkletServing serving) {
        List<Writer> writers = new ArrayList<>(loads.keySet());
        StringBuilder md = new StringBuilder();
        md.append("## Time to first audio and onset\n\n");
        md.append("Written by `./rtcsound bench` on ").append(Instant.now().truncatedTo(ChronoUnit.SECONDS))
                .append(" (").append(Runtime.getRuntime().availableProcessors()).append(" cores). ")
                .append("One run, everything on this machine: Liberty, PulseAudio, headless Chromium. ")
                .append("Shared, noisy machines: compare figures of one run, not across runs. ")
                .append("Targets are issue 12's; \"previous\" is what this section said before (one writer, ")
                .append("`paplay --latency-msec=20`, 12 loads, 20 bursts).\n\n");

        md.append("### First audio, fresh page loads\n\n");
        md.append("Each load is a new tab, and starts the desktop's stream afresh (the server has freed the last "
                + "one's call and stream first), while the desktop plays a 440 Hz tone through the writer named.\n\n");
        md.append("| ms, median / p95 (n) |");
        writers.forEach(w -> md.append(' ').append(w.label).append(" |"));
        md.append(" target | previous |\n|---|");
        writers.forEach(w -> md.append("---|"));
        md.append("---|---|\n");
        writerRow(md, "page load -> first audio energy", loads, PageLoad::firstAudio, "<= 300 / <= 500",
                PREVIOUS_FIRST_AUDIO);
        writerRow(md, "page load -> first sound rendered in the page (AudioWorklet, to the sample)", loads,
                PageLoad::firstSoundOrMissed, "", "");
        writerRow(md, "page load -> \"sound available\"", loads, PageLoad::available, "", PREVIOUS_AVAILABLE);
        md.append("| first audio, min - max |");
        for (Writer w : writers) {
            Summary s = Summary.of(loads.get(w).stream().map(PageLoad::firstAudio).toList());
            md.append(s.n() == 0 ? " - |" : String.format(Locale.ROOT, " %.0f - %.0f |", s.min(), s.max()));
        }
        md.append(" | ").append(PREVIOUS_FIRST_AUDIO_RANGE).append(" |\n");
        md.append("| loads that needed a restart or rebuild (calls > 1 or connectTimeouts > 0) |");
        for (Writer w : writers) {
            List<PageLoad> list = loads.get(w);
            md.append(' ').append(list.stream().filter(PageLoad::restarted).count()).append(" of ").append(list.size())
                    .append(" |");
        }
        md.append(" 0 | not counted |\n\n");

        md.append("### Stages of first audio, on one clock\n\n");
        md.append("Every time is the page's own `performance.now()` (0 = navigation start): rtcsound.js's "
                + "`window.rtcsound.timeline` (its `#mark` steps, named in quotes), the browser's navigation and "
                + "resource timing, getStats (inbound-rtp) polled every 10 ms from before the page's scripts run, and "
                + "the onset AudioWorklet (below) listening to each call's stream. Only loads whose first call "
                + "connected; medians of stages do not add up to the median total. Targets in brackets are issue "
                + "12's first-audio targets, set beside the first sound too.\n\n");
        md.append("| stage | seen in the page as |");
        writers.forEach(w -> md.append(' ').append(w.label).append(" |"));
        md.append(" target |\n|---|---|");
        writers.forEach(w -> md.append("---|"));
        md.append("---|\n");
        for (Stage stage : stages()) {
            md.append("| ").append(stage.name()).append(" | ").append(stage.seenAs()).append(" |");
            for (Writer w : writers) {
                List<Double> values = new ArrayList<>();
                for (PageLoad load : loads.get(w)) {
                    double v = stage.value().applyAsDouble(load);
                    if (!load.restarted() && !Double.isNaN(v)) {
                        values.add(v);
                    }
                }
                md.append(' ').append(values.isEmpty() ? "not observed in the page" : medianP95(Summary.signed(values)))
                        .append(" |");
            }
            md.append(' ').append(stage.target()).append(" |\n");
        }
        md.append("\n");

        md.append("What the receiver had done (getStats inbound-rtp, median over those loads):\n\n");
        md.append("| at |");
        writers.forEach(w -> md.append(' ').append(w.label).append(" |"));
        md.append("\n|---|");
        writers.forEach(w -> md.append("---|"));
        md.append("\n");
        for (String when : List.of("atFirstPacket", "atFirstAudio")) {
            md.append("| ").append(when.equals("atFirstPacket") ? "the first packet" : "the first audio energy")
                    .append(" |");
            for (Writer w : writers) {
                List<PageLoad> connected = loads.get(w).stream().filter(l -> !l.restarted()).toList();
                md.append(String.format(Locale.ROOT, " %.0f packets in, %.0f samples played out, %.0f of them "
                        + "concealed (%.0f silent) |", receiverMedian(connected, when, "packetsReceived"),
                        receiverMedian(connected, when, "totalSamplesReceived"),
                        receiverMedian(connected, when, "concealedSamples"),
                        receiverMedian(connected, when, "silentConcealedSamples")));
            }
            md.append("\n");
        }
        md.append("\n");

        md.append("### Onset: a burst written into the desktop's sink, to its first sample in the page\n\n");
        md.append("| measure (ms) | n | median | p95 | min | max | target | previous |\n");
        md.append("|---|---|---|---|---|---|---|---|\n");
        row(md, "**pacat (low latency, running): burst written -> rendered in the page**", onsets.pacat().rendered(),
                "<= 35 median, <= 50 p95", PREVIOUS_ONSET_PACAT);
        row(md, "pacat: burst written -> played out by the page's AudioContext", onsets.pacat().playedOut(), "", "");
        row(md, "**paplay (started per burst): started -> rendered in the page**", onsets.paplay().rendered(),
                "<= 35 median, <= 50 p95", PREVIOUS_ONSET_PAPLAY);
        row(md, "paplay: started -> played out by the page's AudioContext", onsets.paplay().playedOut(), "", "");
        row(md, "microphone: burst in the page -> heard in the desktop's source", microphone, "<= 40 median",
                PREVIOUS_MICROPHONE);
        md.append(String.format(Locale.ROOT, "%nOver %d fresh desktop streams (a page each; %d calls for the "
                + "microphone), whose medians were, in the order measured: pacat %s; paplay %s; microphone %s ms. A "
                + "stream's onset latency is settled when it starts: its own bursts spread little, while streams "
                + "differ.%n", ONSET_STREAMS, ONSET_STREAMS, list(onsets.pacat().streamMedians()),
                list(onsets.paplay().streamMedians()), list(microphoneCallMedians)));
        md.append(String.format(Locale.ROOT, "%nOf the desktop -> page onset, the page's jitter buffer held the audio "
                + "%.1f ms on average while the bursts played (getStats jitterBufferDelay / jitterBufferEmittedCount; "
                + "rtcsound.js sets jitterBufferTarget 0); the rest is PulseAudio, the capture, the encoder, RTP over "
                + "loopback and the page's decoding and mixing into its AudioContext.%n%n", onsets.jitterBufferMs()));

        md.append("### Through a TURN relay only\n\n");
        md.append("| ms | n | median | p95 | min | max | target | previous |\n");
        md.append("|---|---|---|---|---|---|---|---|\n");
        row(md, "page load -> first audio energy", relayLoads.stream().map(PageLoad::firstAudio).toList(), "",
                PREVIOUS_RELAY_FIRST_AUDIO);
        row(md, "page load -> \"sound available\"", relayLoads.stream().map(PageLoad::available).toList(), "",
                PREVIOUS_RELAY_AVAILABLE);
        md.append(String.format(Locale.ROOT, "%nRelay / direct, median time to first audio: %.2f. ",
                Summary.of(relayLoads.stream().map(PageLoad::firstAudio).toList()).median()
                        / Summary.of(loads.get(Writer.LOW_LATENCY).stream().map(PageLoad::firstAudio).toList())
                                .median()));
        md.append("coturn, a Liberty of its own and Chromium in a private network namespace (iceTransportPolicy "
                + "\"relay\"), ").append(relayLoads.size()).append(" loads after one warm-up, the desktop playing "
                + "through `paplay --latency-msec=20`; that server lingers (30 s, the default), so these loads join "
                + "a running stream, unlike the direct ones.\n\n");

        md.append("![page load to first audio for both writers, and onset](first-audio-benchmark.png)\n\n");
        md.append("For comparison (shared/notes/interop.md, abcdesktop 3.2 measured on this kind of machine): "
                + "first sound median 3.9 s after page load; onset ~100 ms.\n\n");

        Summary spread = Summary.of(concat(onsets.pacat().spread(), onsets.paplay().spread()));
        Summary check = Summary.signed(concat(onsets.pacat().workletMinusRendered(),
                onsets.paplay().workletMinusRendered()).stream().filter(v -> !v.isNaN()).toList());
        md.append("How:\n\n");
        md.append("- **Loads**: ").append(loads.get(Writer.LOW_LATENCY).size()).append(" fresh page loads per writer, "
                + "the writers taking turns of ").append(LOADS_PER_TURN).append(" loads (each turn starts its "
                + "writer's paplay 500 ms before its first load), each writer's first turn after one warm-up load. "
                + "Chromium trusts the server's certificate (pinned by its key, as a deployment's certificate is "
                + "trusted); runs before 2026-12-03 had it ignore certificate errors, which makes each new "
                + "connection twice (the WebSocket's TLS included).\n");
        List<PageLoad> all = loads.values().stream().flatMap(List::stream).filter(l -> !l.restarted()).toList();
        Summary energyWindow = Summary.signed(all.stream().map(l -> l.probe("firstAudio") - l.probe("noEnergyBefore"))
                .filter(v -> !v.isNaN()).toList());
        Summary packetWindow = Summary.signed(all.stream().map(l -> l.probe("firstPacket") - l.probe("noPacketBefore"))
                .filter(v -> !v.isNaN()).toList());
        md.append(String.format(Locale.ROOT, "- **First packet, first audio energy** (getStats): the first audio "
                + "energy is the gather time of the first report with inbound `totalAudioEnergy` > 0; the first "
                + "packet is the arrival of the latest packet counted by the first report with `packetsReceived` > 0. "
                + "Chromium hands out the same report for 50 ms however often it is asked (polled every 10 ms here), "
                + "so the energy came within the %.0f ms (median) since the report before, and the first packet "
                + "within %.0f ms before the time given. And the energy lags the sound: WebRTC's level meter "
                + "(audio_level.cc) updates the level it adds to totalAudioEnergy every 11th 10-ms frame, so it "
                + "stays 0 for about the first 110 ms of sound however loud (the samples played out by then are in "
                + "the table above). The previous figures estimated the first packet's arrival "
                + "(lastPacketReceivedTimestamp - (packets - 1) x 10 ms), not the energy's moment.%n",
                energyWindow.median(), packetWindow.median()));
        md.append("- **First sound and onsets** (AudioWorklet): the page's received track goes into an AudioWorklet "
                + "that finds the exact sample where sound starts: the first sample over 0.05 after at least 200 ms "
                + "below it, posted as its frame (`currentFrame` + index). `AudioContext.getOutputTimestamp()` pairs "
                + "(contextTime, performanceTime, + `performance.timeOrigin` for the writer's wall clock, Java's "
                + "`Instant` in microseconds) give the time the page's AudioContext plays that frame out. ")
                .append(BURSTS).append(" bursts of 100 ms of 1 kHz per writer, each 400 ms after the last was heard; in every load page the same worklet "
                        + "listens to each call's stream (its first onset is the first sound). ");
        md.append(String.format(Locale.ROOT, "The rows use the time the sample was rendered: played out minus the "
                + "context's outputLatency + baseLatency (%s ms here; Chromium's output is off, so what plays it out "
                + "is a fake device, whose latency is not rtcsound's); played-out rows are beside the onsets. "
                + "**Resolution**: the sample is exact (0.02 ms), and its time comes from the median of the last 25 "
                + "timestamp pairs, whose spread was %.2f ms median, %.2f ms p95: about +-%.1f ms. The context "
                + "renders one device callback (baseLatency) at a time, so the rendered time is a lower bound, within "
                + "one callback of the moment the worklet ran over the sample: the worklet's own Date.now() (whole "
                + "ms) came %.1f ms after it, median (p95 %.1f ms).%n",
                contextLatencies(onsets.context()), spread.median(), spread.p95(), Math.max(0.5, spread.p95() / 2),
                check.median(), check.p95()));
        md.append(String.format(Locale.ROOT, "- **The worklet's module** is served on the page's own origin (its CSP, "
                + "`script-src 'self'`, refuses a blob: module) at `%s`, answered through DevTools' own Fetch domain "
                + "on the page (Playwright's page.route and context.route never see an AudioWorklet's module fetch: "
                + "it went to the server, which answers 404). This run it answered %d fetches for %d pages, and the "
                + "server answered %d for that path itself: the module came from the benchmark, and the production "
                + "app is unchanged.%n", WORKLET_PATH, serving.fetches(), serving.pages(), serving.serverStatus()));
        md.append("- **Microphone**: ").append(MICROPHONE_BURSTS).append(" bursts of a 1 kHz oscillator as the "
                + "page's microphone track, read by parec in 5 ms chunks (parec's own 10 ms latency included), from "
                + "the page's clock when the burst is scheduled; in each call after the first burst the desktop heard (")
                .append(microphoneWarmUps).append(" unheard before those, not counted).\n");
        return md.toString();
    }

    private static double receiverMedian(List<PageLoad> loads, String when, String key) {
        return Summary.signed(loads.stream().map(l -> l.receiver(when, key)).filter(v -> !v.isNaN()).toList())
                .median();
    }

    private static String list(List<Double> values) {
        return String.join(", ", values.stream().map(v -> String.format(Locale.ROOT, "%.0f", v)).toList());
    }

    private static String contextLatencies(Map<?, ?> context) {
        return String.format(Locale.ROOT, "outputLatency %s + baseLatency %s",
                seconds(context.get("outputLatency")), seconds(context.get("baseLatency")));
    }

    private static String seconds(Object value) {
        return value instanceof Number n ? String.format(Locale.ROOT, "%.1f", n.doubleValue() * 1000) : "n/a";
    }

    private static List<Double> concat(List<Double> a, List<Double> b) {
        List<Double> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static void writerRow(StringBuilder md, String name, Map<Writer, List<PageLoad>> loads,
            Function<PageLoad, Double> value, String target, String previous) {
        md.append("| ").append(name).append(" |");
        for (List<PageLoad> list : loads.values()) {
            md.append(' ').append(medianP95(list.stream().map(value).toList())).append(" |");
        }
        md.append(' ').append(target).append(" | ").append(previous).append(" |\n");
    }

    /** "median / p95 (n)", with how many were missed (negative values). */
    private static String medianP95(List<Double> values) {
        return medianP95(Summary.of(values));
    }

    private static String medianP95(Summary s) {
        if (s.n() == 0) {
            return "- (0)";
        }
        return String.format(Locale.ROOT, "%.0f / %.0f (%d%s)", s.median(), s.p95(), s.n(),
                s.missed() > 0 ? ", " + s.missed() + " missed" : "");
    }

    private static void row(StringBuilder md, String name, List<Double> values, String target, String previous) {
        Summary s = Summary.of(values);
        if (s.n() == 0) {
            md.append("| ").append(name).append(" | 0").append(s.missed() > 0 ? " (" + s.missed() + " missed)" : "")
                    .append(" | - | - | - | - | ").append(target).append(" | ").append(previous).append(" |\n");
            return;
        }
        md.append(String.format(Locale.ROOT, "| %s | %d%s | %.1f | %.1f | %.1f | %.1f | %s | %s |%n", name, s.n(),
                s.missed() > 0 ? " (" + s.missed() + " missed)" : "", s.median(), s.p95(), s.min(), s.max(), target,
                previous));
    }

    /** Median, p95 (nearest rank), min and max of the values that are not negative (negative: missed). */
    record Summary(int n, int missed, double median, double p95, double min, double max) {

        static Summary of(List<Double> values) {
            List<Double> kept = new ArrayList<>(values);
            kept.removeIf(v -> v < 0 || v.isNaN());
            return of(kept, (int) values.stream().filter(v -> v < 0).count());
        }

        /** For differences between two steps, which may be negative (steps seen in either order). */
        static Summary signed(List<Double> values) {
            return of(values, 0);
        }

        private static Summary of(List<Double> kept, int missed) {
            List<Double> sorted = new ArrayList<>(kept);
            Collections.sort(sorted);
            if (sorted.isEmpty()) {
                return new Summary(0, missed, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
            }
            return new Summary(sorted.size(), missed, percentile(sorted, 50), percentile(sorted, 95), sorted.get(0),
                    sorted.get(sorted.size() - 1));
        }

        private static double percentile(List<Double> sorted, int p) {
            int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
            return sorted.get(Math.max(0, Math.min(index, sorted.size() - 1)));
        }
    }
}
