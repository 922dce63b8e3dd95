package org.rtcsound.it;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.rtcsound.testing.BenchmarkDocs;
import org.rtcsound.testing.LoadChart;
import org.rtcsound.testing.LoadGenerator;
import org.rtcsound.testing.LoopingTone;
import org.rtcsound.testing.ProcStats;
import org.rtcsound.testing.PulseAudioDaemon;
import org.rtcsound.testing.Sleep;
import org.rtcsound.testing.Suite;
import org.rtcsound.testing.TestTokens;

/**
 * Not a test: `./rtcsound bench` runs it (Maven profile "benchmark") to find how many
 * listeners one rtcsound server keeps up with, and records the figures in its own section
 * of docs/benchmarks.md with a plot (docs/load-benchmark.png).
 *
 * <p>Desktops of the benchmark's own (PulseAudio daemons on TCP, one tone each, mapped to
 * their users through od.config) are listened to by more and more listeners, added in
 * steps, all in one headless Chromium (a few pages, most listeners not decoding). At each
 * step, after a settle period, a measuring window samples the server's process from /proc
 * every second (CPU, threads, RSS, file descriptors), reads every listener's inbound RTP
 * counters at its start and end, and listens to one listener per desktop for that
 * desktop's frequency. The run stops at the first step that does not keep up (concealment,
 * packet rate, listeners that fail to connect or drop), at the hard stop, or when its time
 * budget is spent; then every listener leaves and the idle server is measured again.
 *
 * <p>System properties (all optional): {@code rtcsound.load.steps} (1,10,25,50,100,150,200,250,...,400),
 * {@code rtcsound.load.max} (the hard stop, 400), {@code rtcsound.load.desktops} (10),
 * {@code rtcsound.load.pages} (4), {@code rtcsound.load.settle} (seconds, 5),
 * {@code rtcsound.load.window} (seconds, 12), {@code rtcsound.load.budget} (seconds for the
 * steps, 420), {@code rtcsound.load.batch} (listeners added at once, 10).
 */
@ExtendWith(Suite.class)
class LoadBenchmark {

    private static final List<Integer> STEPS = Arrays.stream(System.getProperty("rtcsound.load.steps",
            "1,10,25,50,100,150,200,250,300,350,400").split(",")).map(String::trim).filter(s -> !s.isEmpty())
            .map(Integer::valueOf).toList();
    private static final int HARD_STOP = Integer.getInteger("rtcsound.load.max", 400);
    private static final int DESKTOPS = Integer.getInteger("rtcsound.load.desktops", 10);
    private static final int PAGES = Integer.getInteger("rtcsound.load.pages", 4);
    private static final int SETTLE_SECONDS = Integer.getInteger("rtcsound.load.settle", 5);
    private static final int WINDOW_SECONDS = Integer.getInteger("rtcsound.load.window", 12);
    private static final int BUDGET_SECONDS = Integer.getInteger("rtcsound.load.budget", 420);
    private static final int BATCH = Integer.getInteger("rtcsound.load.batch", 10);
    private static final int FIRST_PORT = 14801;
    /** How long the analyser listens to the sampled listeners, inside the window. */
    private static final int TONE_MILLIS = 2000;
    /** Opus in 10 ms packets: what a listener that keeps up receives. */
    private static final double EXPECTED_PACKETS_PER_SECOND = 100;

    /** What "keeps up" means. */
    private static final double MAX_CONCEALED_PERCENT = 1.0;
    private static final double MIN_PACKETS_PER_SECOND = 90;

    private final Suite.Parts parts;

    LoadBenchmark(Suite.Parts parts) {
        this.parts = parts;
    }

    private static double frequency(int desktop) {
        return 400 + 70 * desktop;
    }

    private static String uid(int listener) {
        return "load-" + listener;
    }

    private static int desktopOf(int listener) {
        return listener % DESKTOPS;
    }

    /** One measuring window. */
    private record Step(String label, int listeners, int desktops, double serverCpu, int threads, double rssMb, int fds,
            double packetsPerSecond, double minPacketsPerSecond, double lossPercent, double concealedPercent,
            int tonesHeard, int tonesSampled, String tonesMissed, double generatorCpu, double desktopsCpu,
            double undecodedSamplesPerSecond, double machineCpu, double otherCpu,
            int serverListeners, int desktopStreams, double connectSeconds, String notKeepingUp) {

        double cpuPerListener() {
            return listeners == 0 ? Double.NaN : serverCpu / listeners;
        }
    }

    @Test
    void measure() throws Exception {
        System.setProperty("java.awt.headless", "true");
        List<PulseAudioDaemon> desktops = new ArrayList<>();
        List<LoopingTone> tones = new ArrayList<>();
        LoadGenerator generator = null;
        Instant started = Instant.now();
        try {
            for (int d = 0; d < DESKTOPS; d++) {
                PulseAudioDaemon desktop = PulseAudioDaemon.startWithTcp(parts.work().resolve("load-desktop-" + d),
                        FIRST_PORT + d, "127.0.0.1");
                desktops.add(desktop);
                tones.add(LoopingTone.start(desktop, "virtspk", frequency(d), 0.3));
            }
            mapUsersToDesktops();
            generator = LoadGenerator.start(parts.liberty(), PAGES);
            warmUp(generator);

            List<Step> steps = new ArrayList<>();
            Step idleBefore = measureWindow("0 (idle, before)", 0, null, 0);
            steps.add(idleBefore);
            System.out.println("load: " + row(idleBefore));

            Map<Integer, String> tokens = new HashMap<>();
            int connected = 0;
            long budgetEnd = System.nanoTime() + BUDGET_SECONDS * 1_000_000_000L;
            long lastStepNanos = 0;
            String stoppedBecause = null;
            Step firstNotKeepingUp = null;
            for (int target : STEPS) {
                if (target > HARD_STOP) {
                    stoppedBecause = "hard stop at " + HARD_STOP + " listeners";
                    break;
                }
                if (target <= connected) {
                    continue;
                }
                if (System.nanoTime() + lastStepNanos * 3 / 2 > budgetEnd) {
                    stoppedBecause = "time budget (" + BUDGET_SECONDS + " s) spent before the step of " + target;
                    break;
                }
                long stepStart = System.nanoTime();
                double connectSeconds = addListeners(generator, connected, target, tokens);
                connected = target;
                Sleep.millis(SETTLE_SECONDS * 1000L);
                Step step = measureWindow(Integer.toString(target), target, generator, connectSeconds);
                steps.add(step);
                System.out.println("load: " + row(step));
                lastStepNanos = System.nanoTime() - stepStart;
                if (step.notKeepingUp() != null) {
                    firstNotKeepingUp = step;
                    stoppedBecause = "the server stopped keeping up at " + target + " listeners: " + step.notKeepingUp();
                    break;
                }
            }
            if (stoppedBecause == null) {
                stoppedBecause = connected >= HARD_STOP ? "hard stop at " + HARD_STOP + " listeners"
                        : "last step asked for (" + connected + " listeners)";
            }
            Duration loadDuration = Duration.between(started, Instant.now());

            generator.stopAll();
            JsonObject afterLeaving = awaitIdle(Duration.ofSeconds(60));
            Sleep.millis(10_000); // threads and sockets wind down a little after their sessions
            Step idleAfter = measureWindow("0 (idle, after)", 0, null, 0);
            steps.add(idleAfter);
            System.out.println("load: " + row(idleAfter));

            String report = report(steps, firstNotKeepingUp, stoppedBecause, loadDuration, afterLeaving);
            System.out.println(report);
            Path png = BenchmarkDocs.directory().resolve("load-benchmark.png");
            List<LoadChart.Point> points = steps.stream().filter(s -> s.listeners() > 0)
                    .map(s -> new LoadChart.Point(s.listeners(), s.serverCpu(), s.generatorCpu(), s.concealedPercent()))
                    .toList();
            List<LoadChart.Point> withIdle = new ArrayList<>();
            withIdle.add(new LoadChart.Point(0, idleBefore.serverCpu(), idleBefore.generatorCpu(), Double.NaN));
            withIdle.addAll(points);
            LoadChart.write(png, "rtcsound: one server, listeners over " + DESKTOPS + " desktops (" +
                    Runtime.getRuntime().availableProcessors() + " cores, shared with the load generator)", withIdle,
                    firstNotKeepingUp == null ? -1 : firstNotKeepingUp.listeners());
            BenchmarkDocs.replaceSection("load-benchmark", report);
        } finally {
            if (generator != null) {
                generator.close();
            }
            tones.forEach(LoopingTone::close);
            desktops.forEach(PulseAudioDaemon::close);
            Suite.restoreOdConfig();
        }
    }

    /** Every listener's user mapped to its desktop (listener i to desktop i mod DESKTOPS). */
    private void mapUsersToDesktops() {
        String map = java.util.stream.IntStream.range(0, HARD_STOP)
                .mapToObj(i -> "'" + uid(i) + "': 'tcp:127.0.0.1:" + (FIRST_PORT + desktopOf(i)) + "'")
                .collect(Collectors.joining(", ", "{ ", " }"));
        Suite.editOdConfig(sample -> sample + "\nrtcsound.desktops : " + map + "\n");
        parts.liberty().awaitConfig(c -> c.getJsonObject("values").containsKey("rtcsound.desktops")
                && c.getJsonObject("values").getJsonObject("rtcsound.desktops").size() == HARD_STOP,
                Duration.ofSeconds(10));
    }

    /** A token good for the whole run (the page uses it again if a listener reconnects). */
    private static String token(String uid) {
        return TestTokens.sign(claims -> {
            claims.setSubject(uid);
            claims.setExpirationTimeMinutesInTheFuture(60);
        });
    }

    /** One listener heard before anything is measured: GStreamer's lazily started parts exist from here on. */
    private void warmUp(LoadGenerator generator) {
        generator.add(List.of(new LoadGenerator.Listener(0, uid(0), token(uid(0)), true)));
        if (!awaitAvailable(generator, 1, Duration.ofSeconds(30))) {
            throw new IllegalStateException("the warm-up listener did not connect:\n  "
                    + String.join("\n  ", generator.troubles(1)) + "\npage console:\n  "
                    + String.join("\n  ", generator.console()));
        }
        Sleep.millis(2000);
        generator.stopAll();
        awaitIdle(Duration.ofSeconds(30));
        Sleep.millis(3000);
    }

    /** Adds listeners [from, to) in batches, each batch awaited; returns the seconds it took. */
    private double addListeners(LoadGenerator generator, int from, int to, Map<Integer, String> tokens) {
        long start = System.nanoTime();
        for (int batchStart = from; batchStart < to; batchStart += BATCH) {
            List<LoadGenerator.Listener> batch = new ArrayList<>();
            for (int i = batchStart; i < Math.min(to, batchStart + BATCH); i++) {
                String uid = uid(i);
                batch.add(new LoadGenerator.Listener(i, uid, tokens.computeIfAbsent(i, k -> token(uid)), i < DESKTOPS));
            }
            generator.add(batch);
            awaitAvailable(generator, batchStart + batch.size(), Duration.ofSeconds(20));
        }
        return (System.nanoTime() - start) / 1e9;
    }

    /** Waits until {@code count} listeners are available; false on timeout (the window then says who is not). */
    private static boolean awaitAvailable(LoadGenerator generator, int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (generator.available()[0] >= count) {
                return true;
            }
            Sleep.millis(200);
        }
        return false;
    }

    /** Live listeners as the server counts them. */
    private static int serverListeners(JsonObject status) {
        return status.getInt("listeners");
    }

    /** The desktop streams the server runs (one capture and encoder per desktop), or -1 if it does not say. */
    private static int desktopStreams(JsonObject status) {
        JsonValue streams = status.get("desktopStreams");
        return streams != null && streams.getValueType() == JsonValue.ValueType.ARRAY ? streams.asJsonArray().size()
                : -1;
    }

    /** Waits for no session, no listener and no desktop stream; returns the last status. */
    private JsonObject awaitIdle(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonObject status = parts.liberty().status();
        while (System.nanoTime() < deadline) {
            status = parts.liberty().status();
            if (status.getInt("sessions") == 0 && serverListeners(status) <= 0 && desktopStreams(status) <= 0) {
                break;
            }
            Sleep.millis(200);
        }
        return status;
    }

    /** One reading of everything sampled each second. */
    private record Sample(ProcStats.Reading server, Map<Long, Long> generator, Map<Long, Long> desktops,
            long[] machine) {
        static Sample take(long serverPid) {
            return new Sample(ProcStats.read(serverPid), ProcStats.descendantTicks(LoadGenerator::isChromium),
                    ProcStats.descendantTicks(command -> command.endsWith("/pulseaudio")), ProcStats.machineTicks());
        }
    }

    /**
     * The measuring window: /proc sampled every second on a thread of its own while the
     * page listens to the sampled listeners; the listeners' counters read at both ends.
     */
    private Step measureWindow(String label, int listeners, LoadGenerator generator, double connectSeconds)
            throws InterruptedException {
        long pid = parts.liberty().pid();
        List<LoadGenerator.Row> before = generator == null ? List.of() : generator.snapshot();
        List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
        Thread sampler = new Thread(() -> {
            long next = System.nanoTime();
            for (int i = 0; i <= WINDOW_SECONDS; i++) {
                samples.add(Sample.take(pid));
                next += 1_000_000_000L;
                long sleep = (next - System.nanoTime()) / 1_000_000;
                if (sleep > 0 && i < WINDOW_SECONDS) {
                    Sleep.millis(sleep);
                }
            }
        }, "load-sampler");
        sampler.start();
        if (generator != null) {
            generator.startTones(TONE_MILLIS);
        }
        sampler.join();
        List<LoadGenerator.Tone> heard = generator == null ? List.of() : generator.tones();
        List<LoadGenerator.Row> after = generator == null ? List.of() : generator.snapshot();
        JsonObject status = parts.liberty().status();

        List<Double> serverCpu = new ArrayList<>();
        List<Double> generatorCpu = new ArrayList<>();
        List<Double> desktopsCpu = new ArrayList<>();
        List<Double> machineCpu = new ArrayList<>();
        List<Double> otherCpu = new ArrayList<>();
        int cores = Runtime.getRuntime().availableProcessors();
        for (int i = 1; i < samples.size(); i++) {
            Sample a = samples.get(i - 1);
            Sample b = samples.get(i);
            double seconds = (b.server().nanoTime() - a.server().nanoTime()) / 1e9;
            serverCpu.add(100 * (b.server().cpuTicks() - a.server().cpuTicks()) / ProcStats.TICKS_PER_SECOND / seconds);
            generatorCpu.add(100 * ProcStats.cpuSecondsBetween(a.generator(), b.generator()) / seconds);
            desktopsCpu.add(100 * ProcStats.cpuSecondsBetween(a.desktops(), b.desktops()) / seconds);
            long busy = b.machine()[0] - a.machine()[0];
            long total = b.machine()[1] - a.machine()[1];
            machineCpu.add(total == 0 ? 0 : 100.0 * busy / total);
            // the rest: this JVM, Playwright's driver, and whatever else runs on the machine
            otherCpu.add((total == 0 ? 0 : 100.0 * cores * busy / total) - serverCpu.get(serverCpu.size() - 1)
                    - generatorCpu.get(generatorCpu.size() - 1) - desktopsCpu.get(desktopsCpu.size() - 1));
        }
        List<ProcStats.Reading> readings = samples.stream().map(Sample::server).toList();

        // the listeners' audio health over the window
        Map<Integer, LoadGenerator.Row> start = new HashMap<>();
        before.forEach(r -> start.put(r.id(), r));
        double packetRateSum = 0;
        double minPacketRate = Double.NaN;
        long received = 0;
        long lost = 0;
        long concealed = 0;
        long samplesDecoded = 0;
        double undecodedSampleRateSum = 0;
        int undecoded = 0;
        int measured = 0;
        List<String> problems = new ArrayList<>();
        int notAvailable = 0;
        int dropped = 0;
        String anError = null;
        double windowSeconds = samples.isEmpty() ? WINDOW_SECONDS
                : (samples.get(samples.size() - 1).server().nanoTime() - samples.get(0).server().nanoTime()) / 1e9;
        for (LoadGenerator.Row end : after) {
            LoadGenerator.Row begin = start.get(end.id());
            if (!"available".equals(end.state())) {
                notAvailable++;
                anError = anError == null ? end.lastError() : anError;
            }
            if (begin == null || begin.connections() != end.connections() || end.drops() != begin.drops()) {
                dropped++;
                anError = anError == null ? end.lastError() : anError;
                continue;
            }
            double seconds = end.timestamp() > begin.timestamp() ? (end.timestamp() - begin.timestamp()) / 1000.0
                    : windowSeconds;
            double rate = (end.packetsReceived() - begin.packetsReceived()) / seconds;
            packetRateSum += rate;
            minPacketRate = Double.isNaN(minPacketRate) ? rate : Math.min(minPacketRate, rate);
            received += end.packetsReceived() - begin.packetsReceived();
            lost += Math.max(0, end.packetsLost() - begin.packetsLost());
            if (end.decode()) {
                concealed += end.concealedSamples() - begin.concealedSamples();
                samplesDecoded += end.totalSamplesReceived() - begin.totalSamplesReceived();
            } else { // should stay 0: what Chromium decoded of a listener that plays nothing
                undecodedSampleRateSum += (end.totalSamplesReceived() - begin.totalSamplesReceived()) / seconds;
                undecoded++;
            }
            measured++;
        }
        double packetsPerSecond = measured == 0 ? Double.NaN : packetRateSum / measured;
        double lossPercent = received + lost == 0 ? Double.NaN : 100.0 * lost / (received + lost);
        double concealedPercent = samplesDecoded == 0 ? Double.NaN : 100.0 * concealed / samplesDecoded;

        // the sampled listeners (one per desktop): did each hear its desktop's tone?
        Set<Integer> sampled = new HashSet<>();
        after.stream().filter(LoadGenerator.Row::decode).forEach(r -> sampled.add(r.id()));
        int tonesHeard = 0;
        List<String> missed = new ArrayList<>();
        Map<Integer, LoadGenerator.Tone> byId = new HashMap<>();
        heard.forEach(t -> byId.put(t.id(), t));
        for (int id : sampled.stream().sorted().toList()) {
            LoadGenerator.Tone tone = byId.get(id);
            double expected = frequency(desktopOf(id));
            if (tone != null && Math.abs(tone.peakHz() - expected) <= 2 * tone.binHz() && tone.rms() > 0.01) {
                tonesHeard++;
            } else {
                missed.add(String.format(Locale.ROOT, "listener %d: %s (expected %.0f Hz)", id, tone == null
                        ? "nothing" : String.format(Locale.ROOT, "%.0f Hz, rms %.3f", tone.peakHz(), tone.rms()),
                        expected));
            }
        }

        if (listeners > 0) {
            if (after.size() < listeners) {
                problems.add((listeners - after.size()) + " listeners missing from the pages");
            }
            if (notAvailable > 0) {
                problems.add(notAvailable + " listeners not connected" + (anError == null ? "" : " (" + anError + ")"));
            }
            if (dropped > 0) {
                problems.add(dropped + " listeners dropped or reconnected in the window");
            }
            if (concealedPercent >= MAX_CONCEALED_PERCENT) {
                problems.add(String.format(Locale.ROOT, "concealed %.1f %% >= %.0f %%", concealedPercent,
                        MAX_CONCEALED_PERCENT));
            }
            if (!(packetsPerSecond >= MIN_PACKETS_PER_SECOND)) {
                problems.add(String.format(Locale.ROOT, "%.1f packets/s per listener < %.0f", packetsPerSecond,
                        MIN_PACKETS_PER_SECOND));
            }
        }
        if (notAvailable > 0) {
            System.out.println("load: listeners not connected at " + label + ":\n  "
                    + String.join("\n  ", generator.troubles(3)) + "\npage console:\n  "
                    + String.join("\n  ", generator.console()));
        }
        if (!missed.isEmpty()) {
            System.out.println("load: tone check missed at " + label + ": " + missed);
        }
        return new Step(label, listeners, Math.min(listeners, DESKTOPS), median(serverCpu),
                (int) median(readings.stream().map(r -> (double) r.threads()).toList()),
                median(readings.stream().map(ProcStats.Reading::rssMb).toList()),
                (int) median(readings.stream().map(r -> (double) r.fds()).toList()), packetsPerSecond, minPacketRate,
                lossPercent, concealedPercent, tonesHeard, sampled.size(), String.join("; ", missed),
                median(generatorCpu), median(desktopsCpu),
                undecoded == 0 ? Double.NaN : undecodedSampleRateSum / undecoded, median(machineCpu),
                Math.max(0, median(otherCpu)),
                serverListeners(status), desktopStreams(status),
                connectSeconds, problems.isEmpty() ? null : String.join("; ", problems));
    }

    private static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static final String HEADER = "| listeners | desktops | server CPU, % of a core | CPU per listener | threads "
            + "| RSS MB | fds | packets/s per listener (min) | loss % | concealed % | tone check | load generator CPU, % "
            + "of a core | desktops' PulseAudio CPU, % of a core | everything else, % of a core "
            + "| machine busy, % of all cores | server: listeners / desktop streams | connected in (s) | keeps up |\n"
            + "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";

    private static String row(Step s) {
        boolean idle = s.listeners() == 0;
        return String.format(Locale.ROOT, "| %s | %d | %.1f | %s | %d | %.0f | %d | %s | %s | %s | %s | %.1f | %.1f | %.0f | %.0f | %s "
                + "| %s | %s |", s.label(), s.desktops(), s.serverCpu(),
                idle ? "-" : String.format(Locale.ROOT, "%.2f", s.cpuPerListener()), s.threads(), s.rssMb(), s.fds(),
                idle || Double.isNaN(s.packetsPerSecond()) ? "-"
                        : String.format(Locale.ROOT, "%.1f (%.0f)", s.packetsPerSecond(), s.minPacketsPerSecond()),
                idle || Double.isNaN(s.lossPercent()) ? "-" : String.format(Locale.ROOT, "%.2f", s.lossPercent()),
                idle || Double.isNaN(s.concealedPercent()) ? "-" : String.format(Locale.ROOT, "%.2f", s.concealedPercent()),
                idle ? "-" : s.tonesHeard() + " of " + s.tonesSampled(), s.generatorCpu(), s.desktopsCpu(),
                s.otherCpu(), s.machineCpu(),
                s.serverListeners() + " / " + (s.desktopStreams() < 0 ? "-" : Integer.toString(s.desktopStreams())),
                idle ? "-" : String.format(Locale.ROOT, "%.1f", s.connectSeconds()),
                idle ? "-" : s.notKeepingUp() == null ? "yes" : "**no**: " + s.notKeepingUp());
    }

    private static String report(List<Step> steps, Step firstNotKeepingUp, String stoppedBecause, Duration loadDuration,
            JsonObject afterLeaving) {
        Step before = steps.get(0);
        Step after = steps.get(steps.size() - 1);
        Step lastKeptUp = null;
        for (Step s : steps) {
            if (s.listeners() > 0 && s.notKeepingUp() == null) {
                lastKeptUp = s;
            }
        }
        StringBuilder md = new StringBuilder();
        md.append("## Load: how many listeners one server keeps up with\n\n");
        md.append("Written by `./rtcsound bench` on ").append(Instant.now().truncatedTo(ChronoUnit.SECONDS))
                .append(" (").append(Runtime.getRuntime().availableProcessors()).append(" cores). ")
                .append("One run, everything on this machine: Liberty, ").append(DESKTOPS)
                .append(" desktops' PulseAudio and the load generator (one headless Chromium) share its cores, ")
                .append("so the ceiling is this machine's, not the server's alone.\n\n");
        md.append("![server CPU and concealment against listeners](load-benchmark.png)\n\n");
        md.append(HEADER);
        for (Step s : steps) {
            md.append(row(s)).append('\n');
        }
        md.append('\n');
        md.append("**Ceiling:** ").append(lastKeptUp == null ? "no step kept up"
                : "kept up with " + lastKeptUp.listeners() + " listeners").append("; stopped: ").append(stoppedBecause)
                .append(String.format(Locale.ROOT, " (steps took %d s).%n%n", loadDuration.toSeconds()));
        if (firstNotKeepingUp != null) {
            md.append(String.format(Locale.ROOT, "At %d listeners the machine was %.0f %% busy (of all %d cores): "
                    + "server %.0f %%, load generator %.0f %%, desktops' PulseAudio %.0f %%, everything else %.0f %% "
                    + "of a core%s.%n%n",
                    firstNotKeepingUp.listeners(), firstNotKeepingUp.machineCpu(),
                    Runtime.getRuntime().availableProcessors(), firstNotKeepingUp.serverCpu(),
                    firstNotKeepingUp.generatorCpu(), firstNotKeepingUp.desktopsCpu(), firstNotKeepingUp.otherCpu(),
                    firstNotKeepingUp.machineCpu() >= 95
                            ? ": the cores were full, so this ceiling is the machine's (server and load generator "
                                    + "together), not the server's alone"
                            : ""));
        }
        double undecoded = steps.stream().mapToDouble(Step::undecodedSamplesPerSecond).filter(v -> !Double.isNaN(v))
                .max().orElse(Double.NaN);
        if (!Double.isNaN(undecoded)) {
            md.append(String.format(Locale.ROOT, "Listeners that play nothing: Chromium decoded %.0f samples/s of each "
                    + "(getStats totalSamplesReceived, the most at any step; 48000 would mean it decodes them all the "
                    + "same).%n%n", undecoded));
        }
        if (firstNotKeepingUp != null && !firstNotKeepingUp.tonesMissed().isEmpty()) {
            md.append("Tone check missed at ").append(firstNotKeepingUp.label()).append(": ")
                    .append(firstNotKeepingUp.tonesMissed()).append(".\n\n");
        }
        md.append(String.format(Locale.ROOT, "**After every listener left** (server status then: %d sessions, %d "
                + "listeners/pipelines%s): idle CPU %.1f %% of a core (before: %.1f %%); threads %d (before %d, %s); "
                + "fds %d (before %d, %s); RSS %.0f MB (before %.0f MB, %s).%n%n",
                afterLeaving.getInt("sessions"), serverListeners(afterLeaving),
                desktopStreams(afterLeaving) < 0 ? "" : ", " + desktopStreams(afterLeaving) + " desktop streams",
                after.serverCpu(), before.serverCpu(),
                after.threads(), before.threads(), back(after.threads(), before.threads(), 12),
                after.fds(), before.fds(), back(after.fds(), before.fds(), 8),
                after.rssMb(), before.rssMb(), back(after.rssMb(), before.rssMb(), 0.1 * before.rssMb())));
        md.append("How: desktops are PulseAudio daemons on TCP (`auth-ip-acl=127.0.0.1`), desktop *d* playing a ")
                .append(String.format(Locale.ROOT, "%.0f + %.0f*d Hz tone into `virtspk`; listener *i* is user `load-i` ",
                        frequency(0), frequency(1) - frequency(0)))
                .append("on desktop *i* mod ").append(DESKTOPS).append(" (od.config `rtcsound.desktops`). ")
                .append("Listeners are rtcsound's own client (`rtcsound.js`) in one headless Chromium, ").append(PAGES)
                .append(" pages, added ").append(BATCH).append(" at a time, each batch awaited until \"sound available\"")
                .append("; only the first listener of each desktop decodes (a real audio element), all in one page; ")
                .append("the others, in the other pages, receive and decrypt RTP but decode nothing (Chromium decodes ")
                .append("every remote audio stream of a page where one plays). At each step, after ").append(SETTLE_SECONDS)
                .append(" s of settling, a ").append(WINDOW_SECONDS).append(" s window: server CPU is Liberty's own ")
                .append("process (/proc/<pid>/stat utime+stime), the median of 1 s samples, as are threads, RSS and ")
                .append("fds; the load generator is Chromium's process tree; machine busy is all cores (/proc/stat), ")
                .append("and everything else is what it leaves: the benchmark's JVM, Playwright's driver, and whatever ")
                .append("else ran on this shared machine meanwhile. ")
                .append("Packets/s, loss and concealment come from each listener's getStats (inbound-rtp) at both ends ")
                .append("of the window (concealment over the decoding listeners only); the tone check listens ")
                .append(TONE_MILLIS / 1000).append(" s to each decoding listener (WebAudio analyser, within two FFT ")
                .append("bins of its desktop's frequency). A step keeps up while concealment stays under ")
                .append(String.format(Locale.ROOT, "%.0f %%, packets stay at %.0f/s or more per listener (%.0f expected)",
                        MAX_CONCEALED_PERCENT, MIN_PACKETS_PER_SECOND, EXPECTED_PACKETS_PER_SECOND))
                .append(", and every listener is connected and none dropped. The server's own count is `listeners` ")
                .append("(or `pipelines`, before desktops shared a stream) and `desktopStreams` of ")
                .append("`GET /API/admin/status`, \"-\" where it does not report them.\n");
        return md.toString();
    }

    private static String back(double after, double before, double slack) {
        return after <= before + slack ? "back to baseline" : "not back: +" + Math.round(after - before);
    }
}
