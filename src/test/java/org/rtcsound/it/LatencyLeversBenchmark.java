package org.rtcsound.it;

import static org.rtcsound.it.FirstAudioBenchmark.number;

import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.rtcsound.it.FirstAudioBenchmark.BurstWriter;
import org.rtcsound.it.FirstAudioBenchmark.Summary;
import org.rtcsound.testing.BenchmarkDocs;
import org.rtcsound.testing.Chromium;
import org.rtcsound.testing.DistributionChart;
import org.rtcsound.testing.LibertyServer;
import org.rtcsound.testing.PageAudio;
import org.rtcsound.testing.Processes;
import org.rtcsound.testing.PulseAudioDaemon;
import org.rtcsound.testing.Sleep;
import org.rtcsound.testing.Suite;
import org.rtcsound.testing.TestTokens;
import org.rtcsound.testing.Tones;

/**
 * Issue 12's levers, each setting measured beside the others in one run: trials of every
 * setting take turns, round after round, so that the machine's other work weighs on them
 * alike. A trial is one fresh page load while the desktop plays a 440 Hz tone (first sound,
 * HELLO to offer, the tone's pitch and level as the page hears them), then bursts written
 * into the desktop's sink through a running pacat (onset, and where its time went inside the
 * server, from the server's onset trace), or, for the microphone's levers, bursts made in the
 * page and heard in the desktop's source.
 *
 * <p>Server-side times come from {@code rtcsound.trace.onsets} (on for every trial, so that
 * its cost is the same everywhere) and from each call's startup steps in the admin API; the
 * page's from its own clock. Both are the wall clock of this one machine.
 *
 * <p>Alone: {@code flock /tmp/rtcsound-it.lock mvn -B -o verify -Pbenchmark -Dit.test=LatencyLeversBenchmark
 * -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false} (about 15 minutes here);
 * {@code -Drtcsound.bench.lever-trials} and {@code .lever-bursts} change the counts.
 */
@ExtendWith(Suite.class)
class LatencyLeversBenchmark {

    private static final int TRIALS = Integer.getInteger("rtcsound.bench.lever-trials", 8);
    private static final int BURSTS = Integer.getInteger("rtcsound.bench.lever-bursts", 8);
    /** Only these levers (comma-separated names), beside the baselines; unset: all of them. */
    private static final String ONLY = System.getProperty("rtcsound.bench.levers", "");
    private static final long LOAD_TIMEOUT_MS = 15_000;
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** The user whose desktop is laid out without norewinds=1 (a PulseAudio of its own). */
    private static final String REWINDS_USER = "bench-rewinds";
    /**
     * Off: the page's jitterBufferTarget = 0 is ignored (the receiver's own setter made a
     * no-op), as for a client that never sets it.
     */
    private static final String JITTER_TARGET_IGNORED = """
            Object.defineProperty(RTCRtpReceiver.prototype, 'jitterBufferTarget',
                                  { configurable: true, get() { return null; }, set(value) {} });
            """;

    /**
     * One setting of one lever. {@code settings}: od.config lines beside the suite's; the
     * default setting of every lever is one and the same baseline, measured once per round.
     */
    private record Variant(String lever, String label, String settings, boolean jitterTargetIgnored,
            boolean rewindingDesktop, boolean warm, boolean microphone) {

        boolean baseline() {
            return settings.isEmpty() && !jitterTargetIgnored && !rewindingDesktop && !warm;
        }

        String key() {
            return lever + ": " + label;
        }
    }

    private static final String BASELINE_LABEL = "the defaults";
    /** Levers that act on the call's start: their HELLO -> connected steps are shown apart. */
    private static final Set<String> START_LEVERS = Set.of("warm desktop stream", "ICE check pacing");

    private static boolean chosen(Variant variant) {
        return ONLY.isBlank() || variant.baseline()
                || Arrays.stream(ONLY.split(",")).map(String::strip).anyMatch(variant.lever()::equals);
    }

    /** A run of only some levers writes a section of its own, leaving the full run's figures be. */
    private static String section() {
        return ONLY.isBlank() ? "latency-levers-benchmark"
                : "latency-levers-benchmark-" + ONLY.strip().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
    }

    private static List<Variant> variants() {
        return List.of(
                new Variant("", BASELINE_LABEL, "", false, false, false, false),
                new Variant("warm desktop stream", "on: the page reloads and joins its lingering stream",
                        "rtcsound.stream.linger-seconds : 3", false, false, true, false),
                new Variant("capture latency-time", "5 ms", "rtcsound.capture.latency-ms : 5", false, false, false,
                        false),
                new Variant("capture latency-time", "20 ms", "rtcsound.capture.latency-ms : 20", false, false, false,
                        false),
                new Variant("capture buffer-time", "30 ms", "rtcsound.capture.buffer-ms : 30", false, false, false,
                        false),
                new Variant("capture buffer-time", "400 ms", "rtcsound.capture.buffer-ms : 400", false, false, false,
                        false),
                new Variant("Opus frame", "5 ms", "rtcsound.opus.frame-ms : '5'", false, false, false, false),
                new Variant("Opus frame", "20 ms", "rtcsound.opus.frame-ms : '20'", false, false, false, false),
                new Variant("Opus mode", "generic (2.5 ms look-ahead)", "rtcsound.opus.audio-type : 'generic'", false,
                        false, false, false),
                new Variant("null sink norewinds=1", "off: the desktop's sinks may rewind", "", false, true, false,
                        false),
                new Variant("page's jitterBufferTarget = 0", "off: left to NetEq", "", true, false, false, false),
                new Variant("ICE check pacing", "20 ms (libnice's default)", "rtcsound.ice.check-pacing-ms : 20",
                        false, false, false, false),
                new Variant("call prepared before HELLO", "off: opened at the HELLO",
                        "rtcsound.signalling.prepare-before-hello : False", false, false, false, false),
                new Variant("", BASELINE_LABEL + " (microphone)", "", false, false, false, true),
                new Variant("microphone sink", "buffer 30 ms, latency 5 ms",
                        "rtcsound.microphone.buffer-ms : 30\nrtcsound.microphone.latency-ms : 5", false, false, false,
                        true),
                new Variant("microphone sink", "buffer 20 ms, latency 5 ms",
                        "rtcsound.microphone.buffer-ms : 20\nrtcsound.microphone.latency-ms : 5", false, false,
                        false, true));
    }

    /** What one setting's trials measured (ms; -1: missed). */
    private static final class Results {
        final List<Double> firstSound = new ArrayList<>();
        final List<Double> helloToOffer = new ArrayList<>();
        final List<Double> offerToFirstSound = new ArrayList<>();
        final List<Double> onset = new ArrayList<>();
        final List<Double> microphone = new ArrayList<>();
        final List<Double> toneHz = new ArrayList<>();
        final List<Double> toneDb = new ArrayList<>();
        final List<Double> concealedPercent = new ArrayList<>();
        /** Microphone: 5 ms chunks of a steady tone that came out under half its level. */
        final List<Double> dropoutPercent = new ArrayList<>();
        final List<Double> jitterBufferMs = new ArrayList<>();
        /** NetEq's target delay over the bursts (jitterBufferTargetDelay / emitted). */
        final List<Double> jitterTargetMs = new ArrayList<>();
        /** The packets' interarrival jitter as the page saw it (RFC 3550), at the trial's end. */
        final List<Double> arrivalJitterMs = new ArrayList<>();
        /** Onset stages (burst written -> captured -> encoded -> packed -> rendered in the page). */
        final Map<String, List<Double>> onsetStages = new LinkedHashMap<>();
        /** Start stages, HELLO sent by the page to the offer received, through the server's steps. */
        final Map<String, List<Double>> startStages = new LinkedHashMap<>();
        int restarts;
        int failedTrials;

        void stage(Map<String, List<Double>> stages, String name, double value) {
            stages.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
    }

    private final Suite.Parts parts;
    private final AtomicInteger workletFetches = new AtomicInteger();
    private PulseAudioDaemon rewinding;

    LatencyLeversBenchmark(Suite.Parts parts) {
        this.parts = parts;
    }

    @Test
    void measure() throws Exception {
        rewinding = PulseAudioDaemon.startWithLayout(parts.work().resolve("pulse-rewinds").toAbsolutePath(),
                layout -> layout.replace(" norewinds=1", ""));
        Chromium chromium = Chromium.launchTrusting(parts.liberty());
        Path tone = Tones.sine(parts.work().resolve("lever-tone.wav"), 440, 30, 0.5);
        Map<String, Results> results = new LinkedHashMap<>();
        List<Variant> variants = variants().stream().filter(LatencyLeversBenchmark::chosen).toList();
        variants.forEach(v -> results.put(v.key(), new Results()));
        try {
            for (int round = 0; round <= TRIALS; round++) {
                for (Variant variant : variants) {
                    apply(variant, round);
                    // round 0 warms the JVM, Chromium and every setting's paths up; not counted
                    Results into = round == 0 ? new Results() : results.get(variant.key());
                    try {
                        if (variant.microphone()) {
                            microphoneTrial(chromium, variant, into);
                        } else {
                            speakerTrial(chromium, variant, tone, into);
                        }
                    } catch (RuntimeException e) {
                        // counted and reported; a run whose desktop is gone fails below
                        into.failedTrials++;
                        System.out.println("trial of " + variant.key() + " failed: " + e);
                    }
                }
                System.out.println("lever round " + round + " of " + TRIALS + " done");
            }
        } finally {
            Suite.restoreOdConfig();
            chromium.close();
            rewinding.close();
        }
        int failed = results.values().stream().mapToInt(r -> r.failedTrials).sum();
        if (failed > results.size()) {
            throw new AssertionError(failed + " trials failed (see above): the figures would not compare");
        }
        Path png = BenchmarkDocs.directory().resolve(section() + ".png");
        chart(png, variants, results);
        String report = report(variants, results);
        System.out.println(report);
        BenchmarkDocs.replaceSection(section(), report);
    }

    /** The variant's settings in force (the suite's od.config plus its lines, and a marker to wait for). */
    private void apply(Variant variant, int round) {
        String marker = "v" + round + "-" + Math.abs(variant.key().hashCode());
        String desktops = variant.rewindingDesktop()
                ? "\nrtcsound.desktops : { '" + REWINDS_USER + "': '" + rewinding.server() + "' }" : "";
        Suite.editOdConfig(sample -> {
            // a key the suite's lines set already is replaced (od.config refuses a key given twice)
            for (String line : variant.settings().lines().toList()) {
                String key = line.substring(0, line.indexOf(" :"));
                sample = sample.lines().filter(l -> !l.startsWith(key + " :"))
                        .collect(java.util.stream.Collectors.joining("\n"));
            }
            return sample + "\nrtcsound.trace.onsets : True\nrtcsound.bench.variant : '" + marker + "'\n"
                    + variant.settings() + desktops + "\n";
        });
        parts.liberty().awaitConfig(c -> marker.equals(c.getJsonObject("values").get("rtcsound.bench.variant")
                instanceof jakarta.json.JsonString s ? s.getString() : null), WAIT);
    }

    private PulseAudioDaemon desktop(Variant variant) {
        return variant.rewindingDesktop() ? rewinding : parts.pulse();
    }

    private URI page(Variant variant) {
        String user = variant.rewindingDesktop() ? REWINDS_USER : "bench-levers";
        return parts.liberty().httpsUri("/#jwt_token=" + TestTokens.user(user));
    }

    private Chromium.Tab open(Chromium chromium, Variant variant) {
        URI uri = page(variant);
        String init = FirstAudioBenchmark.DETECTOR + """
                window.leverProbe = { sounds: [] };
                window.startOnsetDetector().then((d) => {
                  window.leverProbe.sounds = d.onsets;
                  const listen = () => {
                    const stream = window.rtcsound?.remoteStream;
                    if (stream && stream !== window.leverProbe.heard) {
                      window.leverProbe.heard = stream;
                      d.listen(stream);
                    }
                  };
                  setInterval(listen, 5);
                }, (e) => { window.leverProbe.error = String(e); });
                """ + (variant.jitterTargetIgnored() ? JITTER_TARGET_IGNORED : "");
        return chromium.openPrepared(uri, init, p -> FirstAudioBenchmark.serveWorklet(p, uri, workletFetches));
    }

    /** One fresh page load while the desktop plays its tone, then bursts through pacat. */
    private void speakerTrial(Chromium chromium, Variant variant, Path tone, Results into) throws Exception {
        LibertyServer server = parts.liberty();
        FirstAudioBenchmark.awaitNoCall(server, true);
        Process playing = desktop(variant).play(tone, "virtspk");
        try {
            Sleep.millis(500);
            if (variant.warm()) {
                // the same page a moment before: its stream lingers (3 s) when the measured load calls
                try (Chromium.Tab before = open(chromium, variant)) {
                    PageAudio.waitFor(before, "() => window.leverProbe.sounds.length > 0", null, LOAD_TIMEOUT_MS);
                }
                FirstAudioBenchmark.awaitNoCall(server, false);
            }
            try (Chromium.Tab tab = open(chromium, variant)) {
                boolean heard = PageAudio.waitFor(tab, "() => window.leverProbe.sounds.length > 0", null,
                        LOAD_TIMEOUT_MS);
                JsonObject page = record(tab);
                if (page.getInt("calls") > 1 || page.getInt("connectTimeouts") > 0) {
                    into.restarts++;
                }
                double firstSound = heard ? firstRendered(page) : -1;
                into.firstSound.add(firstSound);
                double hello = at(page, "socket open");
                double offer = at(page, "offer");
                into.helloToOffer.add(offer - hello); // HELLO goes out as the socket opens
                into.offerToFirstSound.add(heard ? firstSound - offer : -1);
                startStages(server, page, hello, offer, into);
                if (!heard) {
                    System.out.println("no sound in " + variant.key() + ": " + page + "\n"
                            + String.join("\n", tab.timedConsole()));
                    return;
                }
                PageAudio.Heard toneHeard = PageAudio.listen(tab, 600);
                into.toneHz.add(toneHeard.peakHz());
                into.toneDb.add(toneHeard.peakDb());
                Processes.stop(playing);
                Sleep.millis(400);
                bursts(tab, variant, into);
            }
        } finally {
            Processes.stop(playing); // returns at once if the tone was stopped already
        }
    }

    private void bursts(Chromium.Tab tab, Variant variant, Results into) throws Exception {
        tab.page().evaluate("() => { window.onsets = window.leverProbe.sounds; }");
        double[] before = FirstAudioBenchmark.inboundFigures(tab);
        List<Double> written = new ArrayList<>();
        List<Map<?, ?>> heard = new ArrayList<>();
        BurstWriter writer = new BurstWriter(desktop(variant).clientEnvironment());
        try {
            for (int i = 0; i < BURSTS; i++) {
                double sent;
                try {
                    sent = FirstAudioBenchmark.epochMillis(writer.burst(0.1, 1000));
                } catch (IOException e) {
                    // the desktop's writer, not the call, failed: the trial's other bursts count as missed
                    System.out.println(variant.key() + ": " + e.getMessage());
                    for (int missed = i; missed < BURSTS; missed++) {
                        into.onset.add(-1.0);
                    }
                    break;
                }
                Map<?, ?> onset = FirstAudioBenchmark.onsetAfter(tab, sent);
                written.add(sent);
                heard.add(onset);
                into.onset.add(onset == null ? -1 : number(onset, "origin") + number(onset, "rendered") - sent);
                Sleep.millis(400);
            }
        } finally {
            writer.close();
        }
        double[] after = FirstAudioBenchmark.inboundFigures(tab);
        double samples = after[1] - before[1];
        into.concealedPercent.add(samples > 0 ? 100 * (after[0] - before[0]) / samples : -1);
        double emitted = after[3] - before[3];
        into.jitterBufferMs.add(emitted > 0 ? 1000 * (after[2] - before[2]) / emitted : -1);
        into.jitterTargetMs.add(emitted > 0 ? 1000 * (after[4] - before[4]) / emitted : -1);
        into.arrivalJitterMs.add(1000 * after[5]);
        onsetStages(written, heard, into);
    }

    /** Each burst's way through the server, from the stream's traced onsets (the first captured after it was written). */
    private void onsetStages(List<Double> written, List<Map<?, ?>> heard, Results into) {
        JsonArray streams = parts.liberty().status().getJsonArray("desktopStreams");
        List<JsonObject> traced = new ArrayList<>();
        streams.forEach(s -> s.asJsonObject().getJsonArray("onsets").forEach(o -> traced.add(o.asJsonObject())));
        for (int i = 0; i < written.size(); i++) {
            double sent = written.get(i);
            Map<?, ?> page = heard.get(i);
            JsonObject onset = traced.stream().filter(o -> o.getJsonNumber("capturedAt").doubleValue() > sent)
                    .min((a, b) -> Double.compare(a.getJsonNumber("capturedAt").doubleValue(),
                            b.getJsonNumber("capturedAt").doubleValue())).orElse(null);
            if (onset == null || page == null || !(onset.get("encodedAt") instanceof JsonNumber encoded)
                    || onset.getJsonArray("packedAt").isEmpty()) {
                continue;
            }
            double captured = onset.getJsonNumber("capturedAt").doubleValue();
            double packed = onset.getJsonArray("packedAt").getJsonNumber(0).doubleValue();
            double rendered = number(page, "origin") + number(page, "rendered");
            if (captured - sent > 1000) {
                continue; // not this burst's
            }
            into.stage(into.onsetStages, "written -> captured (the capture's buffer reaches the encoder's queue)",
                    captured - sent);
            into.stage(into.onsetStages, "captured -> encoded (the Opus frame holding it leaves opusenc)",
                    encoded.doubleValue() - captured);
            into.stage(into.onsetStages, "encoded -> packed (its RTP packet leaves the call's payloader for webrtcbin)",
                    packed - encoded.doubleValue());
            into.stage(into.onsetStages, "packed -> rendered in the page (SRTP, loopback, jitter buffer, decoding, mixing)",
                    rendered - packed);
            into.stage(into.onsetStages, "rendered -> played out by the page's AudioContext",
                    number(page, "playedOut") - number(page, "rendered"));
        }
    }

    /** The start of the page's call, from HELLO sent to the offer received, through the server's steps. */
    private void startStages(LibertyServer server, JsonObject page, double helloSent, double offerReceived,
            Results into) {
        JsonObject call = null;
        for (JsonValue value : Json.createReader(new StringReader(server.get("/API/admin/calls").body())).readArray()) {
            JsonObject candidate = value.asJsonObject();
            if (candidate.get("startup") instanceof JsonObject) {
                call = candidate;
            }
        }
        if (call == null) {
            return;
        }
        double origin = page.getJsonNumber("timeOrigin").doubleValue();
        JsonObject startup = call.getJsonObject("startup");
        double helloAt = startup.getJsonNumber("helloAt").doubleValue() - origin; // on the page's clock
        into.stage(into.startStages, "the page sends HELLO -> the server has it", helloAt - helloSent);
        // each step after HELLO (steps of webrtcbin's own threads come in either order)
        for (Map.Entry<String, JsonValue> step : startup.getJsonObject("msAfterHello").entrySet()) {
            into.stage(into.startStages, "HELLO -> " + step.getKey(), ((JsonNumber) step.getValue()).doubleValue());
        }
        into.stage(into.startStages, "HELLO -> the page has the offer", offerReceived - helloAt);
        JsonObject steps = startup.getJsonObject("msAfterHello");
        if (steps.get("answer applied") instanceof JsonNumber answered && steps.get("connected") instanceof JsonNumber connected) {
            // ICE's checks (paced by libnice's Ta) and DTLS, as the server saw them
            into.stage(into.startStages, "answer applied -> connected (ICE, DTLS)",
                    connected.doubleValue() - answered.doubleValue());
        }
    }

    /** In the page: a 1 kHz oscillator as the microphone; bursts heard by parec in the desktop's source. */
    private void microphoneTrial(Chromium chromium, Variant variant, Results into) throws Exception {
        FirstAudioBenchmark.awaitNoCall(parts.liberty(), true);
        DesktopSourceListener source = new DesktopSourceListener(desktop(variant).clientEnvironment());
        List<Double> loudChunks = source.loudChunks();
        try (Chromium.Tab tab = chromium.open(page(variant))) {
            PageAudio.awaitState(tab, "available", 20_000);
            tab.page().evaluate(FirstAudioBenchmark.BURST_MICROPHONE);
            Sleep.millis(500);
            // the microphone's path through the server may take a moment to open
            int warmUps = 0;
            while (warmUps < 20 && FirstAudioBenchmark.microphoneBurst(tab, loudChunks) < 0) {
                warmUps++;
            }
            if (warmUps == 20) {
                System.out.println("the desktop never heard the microphone of " + variant.key() + " in 10 s:\n"
                        + String.join("\n", tab.timedConsole()) + "\n" + parts.liberty().get("/API/admin/calls").body());
            }
            for (int i = 0; i < BURSTS; i++) {
                into.microphone.add(FirstAudioBenchmark.microphoneBurst(tab, loudChunks));
            }
            // no audible cost: a 1.5 s tone, its middle second recorded in the desktop's source
            tab.page().evaluate("() => window.micTone(1.5)");
            Sleep.millis(300);
            source.startRecording();
            Sleep.millis(1000);
            byte[] pcm = source.stopRecording();
            Sleep.millis(400);
            PulseAudioDaemon.Recording tone = new PulseAudioDaemon.Recording(pcm);
            into.toneHz.add(tone.frequency());
            into.toneDb.add(20 * Math.log10(Math.max(tone.rms(), 1e-6)));
            into.dropoutPercent.add(DesktopSourceListener.dropoutPercent(pcm));
        } finally {
            source.close();
        }
    }

    /** Everything the page knows of its load: rtcsound.js's timeline and counters, the probe's onsets, its clock's origin. */
    private static JsonObject record(Chromium.Tab tab) {
        String json = (String) tab.evaluate("""
                () => JSON.stringify({ calls: window.rtcsound.calls, connectTimeouts: window.rtcsound.connectTimeouts,
                                       timeline: window.rtcsound.timeline, sounds: window.leverProbe.sounds,
                                       timeOrigin: performance.timeOrigin })""", null);
        return Json.createReader(new StringReader(json)).readObject();
    }

    /** When the first call reached a step of rtcsound.js's timeline (page clock), or NaN. */
    private static double at(JsonObject page, String step) {
        for (JsonValue value : page.getJsonArray("timeline")) {
            JsonObject entry = value.asJsonObject();
            if (entry.getInt("call") == 1 && entry.getString("step").equals(step)) {
                return entry.getJsonNumber("at").doubleValue();
            }
        }
        return Double.NaN;
    }

    private static double firstRendered(JsonObject page) {
        return page.getJsonArray("sounds").stream().map(JsonValue::asJsonObject)
                .mapToDouble(o -> o.getJsonNumber("rendered").doubleValue()).min().orElse(-1);
    }

    // ---------------------------------------------------------------- the report

    private static void chart(Path png, List<Variant> variants, Map<String, Results> results) {
        List<DistributionChart.Curve> firstSound = new ArrayList<>();
        List<DistributionChart.Curve> onsets = new ArrayList<>();
        int colour = 0;
        for (Variant variant : variants) {
            if (variant.microphone()) {
                continue;
            }
            Results r = results.get(variant.key());
            String name = variant.baseline() ? BASELINE_LABEL : variant.lever() + ", " + variant.label();
            firstSound.add(new DistributionChart.Curve(name, r.firstSound, colour, variant.baseline()));
            onsets.add(new DistributionChart.Curve(name, r.onset, colour, variant.baseline()));
            colour++;
        }
        DistributionChart.write(png, "rtcsound: each lever's setting beside the defaults, one run", List.of(
                new DistributionChart.Panel("page load to first sound rendered, ms", firstSound, List.of(
                        new DistributionChart.Line(300, "target median"), new DistributionChart.Line(500, "target p95"))),
                new DistributionChart.Panel("onset, burst written to rendered in the page, ms", onsets, List.of(
                        new DistributionChart.Line(35, "target median"), new DistributionChart.Line(50, "target p95")))));
    }

    private static String report(List<Variant> variants, Map<String, Results> results) {
        StringBuilder md = new StringBuilder();
        md.append("## The latency levers, each beside the defaults").append(ONLY.isBlank() ? "" : " (only " + ONLY.strip() + ")")
                .append("\n\n");
        md.append("Written by `./rtcsound bench` on ").append(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS))
                .append(" (").append(Runtime.getRuntime().availableProcessors()).append(" cores). One run: ")
                .append(TRIALS).append(" rounds, each with one trial of every setting in turn (after a round that warms up and is not counted), ")
                .append("so every setting met the machine's noise alike. A trial is a fresh page load (the desktop's stream starts afresh, ")
                .append("except the warm stream's) while the desktop plays 440 Hz through `paplay --latency-msec=20`, then ")
                .append(BURSTS).append(" bursts of 1 kHz written through a running pacat; a microphone trial is ").append(BURSTS)
                .append(" bursts of 1 kHz made in the page, heard in the desktop's source. Medians / p95 (n), ms. ")
                .append("The server traced onsets in every trial (`rtcsound.trace.onsets`).\n\n");
        Results base = results.get(variants.get(0).key());
        md.append("| lever | setting | first sound | HELLO sent -> offer received | offer -> first sound | onset (pacat) | ")
                .append("concealed % | jitter buffer held (NetEq's target) | arrival jitter | tone heard (Hz, dB) | restarts, failed trials | onset vs the defaults |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Variant variant : variants) {
            if (variant.microphone()) {
                continue;
            }
            Results r = results.get(variant.key());
            md.append("| ").append(variant.baseline() ? "" : variant.lever()).append(" | ")
                    .append(variant.baseline() ? "**" + BASELINE_LABEL + "**" : variant.label()).append(" | ")
                    .append(medianP95(r.firstSound)).append(" | ")
                    .append(medianP95(r.helloToOffer)).append(" | ")
                    .append(medianP95(r.offerToFirstSound)).append(" | ")
                    .append(medianP95(r.onset)).append(" | ")
                    .append(median(r.concealedPercent, "%.2f")).append(" | ")
                    .append(median(r.jitterBufferMs, "%.1f")).append(" (").append(median(r.jitterTargetMs, "%.1f"))
                    .append(") | ")
                    .append(median(r.arrivalJitterMs, "%.2f")).append(" | ")
                    .append(median(r.toneHz, "%.0f")).append(", ").append(signedMedian(r.toneDb, "%.1f")).append(" | ")
                    .append(r.restarts).append(", ").append(r.failedTrials).append(" | ")
                    .append(variant.baseline() ? "" : difference(r.onset, base.onset) + "; first sound "
                            + difference(r.firstSound, base.firstSound)).append(" |\n");
        }
        md.append("\n| microphone lever | setting | page -> desktop's source | tone heard in the desktop (Hz, dBFS) | ")
                .append("dropouts % (5 ms chunks under half the level) | failed trials | vs the defaults |\n|---|---|---|---|---|---|---|\n");
        Results micBase = null;
        for (Variant variant : variants) {
            if (!variant.microphone()) {
                continue;
            }
            Results r = results.get(variant.key());
            if (micBase == null) {
                micBase = r;
            }
            md.append("| ").append(variant.lever()).append(" | ").append(variant.label()).append(" | ")
                    .append(medianP95(r.microphone)).append(" | ")
                    .append(median(r.toneHz, "%.0f")).append(", ").append(signedMedian(r.toneDb, "%.1f")).append(" | ")
                    .append(median(r.dropoutPercent, "%.1f")).append(" (max ").append(max(r.dropoutPercent)).append(") | ")
                    .append(r.failedTrials).append(" | ")
                    .append(r == micBase ? "" : difference(r.microphone, micBase.microphone)).append(" |\n");
        }
        md.append("\n### Where an onset's time goes (the defaults)\n\n");
        stageTable(md, base.onsetStages, "stage of a burst, written into the desktop's sink -> rendered in the page");
        md.append("\n### What sits between HELLO and the offer (the defaults, fresh streams)\n\n");
        stageTable(md, base.startStages, "step, ms after the server had HELLO (page and server share this machine's wall clock)");
        for (Variant variant : variants) {
            if (START_LEVERS.contains(variant.lever())) {
                md.append("\nThe same steps with ").append(variant.lever()).append(" ").append(variant.label())
                        .append(":\n\n");
                stageTable(md, results.get(variant.key()).startStages, "step, ms after the server had HELLO");
            }
        }
        md.append("\n![each lever's first sound and onset beside the defaults](").append(section())
                .append(".png)\n");
        return md.toString();
    }

    private static void stageTable(StringBuilder md, Map<String, List<Double>> stages, String heading) {
        md.append("| ").append(heading).append(" | median | p95 | n |\n|---|---|---|---|\n");
        List<Map.Entry<String, List<Double>>> rows = new ArrayList<>(stages.entrySet());
        // steps after HELLO in the order of their medians: the order they usually came in
        rows.sort(java.util.Comparator.comparingDouble(e -> e.getKey().startsWith("HELLO -> ")
                ? Summary.signed(e.getValue()).median() : e.getKey().startsWith("the page sends") ? -1 : 0));
        rows.forEach(row -> {
            String name = row.getKey();
            List<Double> values = row.getValue();
            Summary s = Summary.signed(values);
            md.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %d |%n", name, s.median(), s.p95(), s.n()));
        });
    }

    private static String medianP95(List<Double> values) {
        Summary s = Summary.of(values);
        if (s.n() == 0) {
            return "- (0)";
        }
        return String.format(Locale.ROOT, "%.1f / %.1f (%d%s)", s.median(), s.p95(), s.n(),
                s.missed() > 0 ? ", " + s.missed() + " missed" : "");
    }

    private static String median(List<Double> values, String format) {
        Summary s = Summary.of(values);
        return s.n() == 0 ? "-" : String.format(Locale.ROOT, format, s.median());
    }

    /** For figures that may be negative (levels in dB). */
    private static String signedMedian(List<Double> values, String format) {
        Summary s = Summary.signed(values.stream().filter(v -> !v.isNaN()).toList());
        return s.n() == 0 ? "-" : String.format(Locale.ROOT, format, s.median());
    }

    private static String max(List<Double> values) {
        Summary s = Summary.of(values);
        return s.n() == 0 ? "-" : String.format(Locale.ROOT, "%.1f", s.max());
    }

    /** The difference of medians, this setting minus the defaults, with the sign spelled out. */
    private static String difference(List<Double> values, List<Double> baseline) {
        Summary s = Summary.of(values);
        Summary b = Summary.of(baseline);
        if (s.n() == 0 || b.n() == 0) {
            return "-";
        }
        double d = s.median() - b.median();
        return String.format(Locale.ROOT, "%+.1f ms", d);
    }
}
