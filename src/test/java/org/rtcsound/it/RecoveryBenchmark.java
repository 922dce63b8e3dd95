package org.rtcsound.it;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.rtcsound.testing.BenchmarkDocs;
import org.rtcsound.testing.Chromium;
import org.rtcsound.testing.FaultRig;
import org.rtcsound.testing.LoopingTone;
import org.rtcsound.testing.PageAudio;
import org.rtcsound.testing.PulseAudioDaemon;
import org.rtcsound.testing.Suite;
import org.rtcsound.testing.ToneWatch;

/**
 * Not a test: `./rtcsound bench` runs it (Maven profile "benchmark") to record in
 * docs/benchmarks.md (its own section) how long a page takes to hear again after each fault
 * of issue 14, tried several times each on a fresh page: UDP dropped 5 s, the WebSocket
 * reset by the network and at the server's end, the desktop's PulseAudio killed and
 * restarted, PulseAudio frozen 3 s, the server restarted, and a browser that vanishes (time
 * until the server has freed its call). Median and max beside the bound; nothing is
 * asserted. The rig is {@link FaultRig}'s (Chromium in a network namespace of its own), with
 * a desktop PulseAudio of the benchmark's own, so that it may be killed.
 * {@code -Drtcsound.bench.recovery.tries=} sets the tries (5), and
 * {@code -Drtcsound.bench.recovery.faults=udp,ws-network,ws-server,pulse-killed,pulse-frozen,restart,vanish}
 * some of the faults only (printed, not written to the docs).
 */
@ExtendWith(Suite.class)
class RecoveryBenchmark {

    private static final int TRIES = Integer.getInteger("rtcsound.bench.recovery.tries", 5);
    private static final int TONE_HZ = 620;

    private final Suite.Parts parts;
    private PulseAudioDaemon desktop;
    private LoopingTone tone;

    RecoveryBenchmark(Suite.Parts parts) {
        this.parts = parts;
    }

    /** One fault's tries: recovery times (ms), what failed, and the call's path after each. */
    private record Row(String fault, String bound, String from, List<Double> times, List<String> misses,
            Map<String, Integer> paths) {
        Row(String fault, String bound, String from) {
            this(fault, bound, from, new ArrayList<>(), new ArrayList<>(), new TreeMap<>());
        }
    }

    @Test
    void measure() {
        desktop = PulseAudioDaemon.start(parts.work().resolve("recovery-desktop"));
        try (FaultRig rig = FaultRig.start(parts.work(), desktop)) {
            tone = LoopingTone.start(desktop, "virtspk", TONE_HZ, 0.5);
            try (Chromium.Tab warmUp = rig.open("recovery-warm-up")) {
                PageAudio.assertHears(warmUp, TONE_HZ);
            }
            rig.server().awaitIdle(Duration.ofSeconds(10));
            Map<String, java.util.function.Supplier<List<Row>>> faults = new LinkedHashMap<>();
            faults.put("udp", () -> tries(rig, new Row("UDP dropped 5 s, then back", "<= 2 s", "UDP back"),
                    () -> rig.udpOutage(5000)));
            faults.put("ws-network", () -> tries(rig, new Row("WebSocket reset by the network (at the browser's end)",
                    "<= 2 s", "the reset"), () -> rig.connectionsReset(false)));
            faults.put("ws-server", () -> tries(rig, new Row("WebSocket dropped at the server's end", "<= 2 s",
                    "the reset"), () -> rig.connectionsReset(true)));
            faults.put("pulse-killed", () -> tries(rig, new Row("desktop's PulseAudio killed (SIGKILL) and started again",
                    "<= 2 s", "PulseAudio answers again (started at once)"), this::pulseAudioKilled));
            faults.put("pulse-frozen", () -> tries(rig, new Row("desktop's PulseAudio frozen 3 s (SIGSTOP, SIGCONT)",
                    "-", "SIGCONT"), () -> () -> {
                        desktop.freeze(Duration.ofSeconds(3));
                        return System.currentTimeMillis();
                    }));
            faults.put("restart", () -> tries(rig, new Row("server stopped and started (a new version)", "<= 1 s",
                    "the server is ready (/health/ready, polled every 50 ms)"), () -> () -> {
                        rig.server().restart();
                        return System.currentTimeMillis();
                    }));
            faults.put("vanish", () -> vanishing(rig));
            List<String> chosen = List.of(System.getProperty("rtcsound.bench.recovery.faults",
                    String.join(",", faults.keySet())).split(","));
            List<Row> rows = new ArrayList<>();
            faults.forEach((key, measure) -> {
                if (chosen.contains(key)) {
                    rows.addAll(measure.get());
                }
            });
            String report = report(rows);
            System.out.println(report);
            if (chosen.containsAll(faults.keySet())) { // a partial run does not replace the section
                BenchmarkDocs.replaceSection("recovery-benchmark", report);
            }
        } finally {
            if (tone != null) {
                tone.close();
            }
            desktop.close();
        }
    }

    private ToneWatch.Fault pulseAudioKilled() {
        return () -> {
            tone.close();
            desktop.kill();
            desktop = PulseAudioDaemon.start(parts.work().resolve("recovery-desktop"));
            long back = System.currentTimeMillis();
            tone = LoopingTone.start(desktop, "virtspk", TONE_HZ, 0.5);
            return back;
        };
    }

    /** Each try on a fresh page (a token lasts five minutes), the fault made once it hears. */
    private static List<Row> tries(FaultRig rig, Row row, java.util.function.Supplier<ToneWatch.Fault> fault) {
        for (int i = 0; i < TRIES; i++) {
            try (Chromium.Tab tab = rig.open("recovery-" + i)) {
                ToneWatch watch = FaultRig.hearing(tab, TONE_HZ);
                ToneWatch.Recovery recovery = watch.through(fault.get(), 30_000);
                System.out.printf("%s, try %d: back %.0f ms after %s; from the fault's start:%n%s%n", row.fault(), i,
                        recovery.backAfter(), row.from(), watch.timeline(recovery.began()));
                row.times().add(Math.max(0, recovery.backAfter()));
                row.paths().merge(PageAudio.selectedPath(tab), 1, Integer::sum);
            } catch (AssertionError | RuntimeException e) {
                row.misses().add(e.getMessage().lines().findFirst().orElse(e.toString()));
            } finally {
                rig.restoreUdp();
                rig.server().awaitIdle(Duration.ofSeconds(15));
            }
        }
        System.out.println(row);
        return List.of(row);
    }

    /**
     * A vanished browser: time from its link going down to the server having ended its call
     * (sessions, listeners, desktop stream), and to its holding no more than before the call.
     */
    private static List<Row> vanishing(FaultRig rig) {
        Row ended = new Row("browser vanished (its link down, the browser left running): call ended", "-",
                "the link went down");
        Row callFreed = new Row("browser vanished: everything the call held freed (sessions, listeners, stream,"
                + " sockets, threads; but its WebSocket)", "<= 10 s", "the link went down");
        Row freed = new Row("browser vanished: its WebSocket's TCP connection closed too (Liberty waits 30 s for a"
                + " close frame)", "-", "the link went down");
        for (int i = 0; i < TRIES; i++) {
            try (Chromium.Tab tab = rig.chromium().open(rig.server().httpsUri("/style.css"))) {
                FaultRig.Baseline before = rig.baseline();
                tab.page().navigate(rig.page("recovery-vanish-" + i).toString());
                FaultRig.hearing(tab, TONE_HZ);
                String path = PageAudio.selectedPath(tab);
                ended.paths().merge(path, 1, Integer::sum);
                callFreed.paths().merge(path, 1, Integer::sum);
                freed.paths().merge(path, 1, Integer::sum);
                FaultRig.Freed result = rig.vanish(before, 45_000);
                System.out.println("vanished browser, try " + i + ": " + result
                        + (result.freed() ? "" : "; its sockets:\n" + result.sockets()));
                if (result.endedMillis() >= 0) {
                    ended.times().add((double) result.endedMillis());
                } else {
                    ended.misses().add("not ended in 30 s: " + result);
                }
                if (result.callFreedMillis() >= 0) {
                    callFreed.times().add((double) result.callFreedMillis());
                } else {
                    callFreed.misses().add("not freed in 45 s: " + result);
                }
                if (result.freed()) {
                    freed.times().add((double) result.millis());
                } else {
                    freed.misses().add("not freed in 45 s: " + result);
                }
            } catch (AssertionError | RuntimeException e) {
                freed.misses().add(e.getMessage().lines().findFirst().orElse(e.toString()));
            } finally {
                rig.server().awaitIdle(Duration.ofSeconds(15));
            }
        }
        System.out.println(ended + "\n" + callFreed + "\n" + freed);
        return List.of(ended, callFreed, freed);
    }

    private static String report(List<Row> rows) {
        StringBuilder md = new StringBuilder("## Recovery after faults\n\n");
        md.append("Written by `./rtcsound bench` on ").append(Instant.now().truncatedTo(ChronoUnit.SECONDS))
                .append(" (").append(Runtime.getRuntime().availableProcessors())
                .append(" cores). One run, everything on this machine. Bounds are issue 14's.\n\n");
        md.append("| fault | measured from | tries | median (ms) | max (ms) | min (ms) | bound | the call's path after |\n");
        md.append("|---|---|---|---|---|---|---|---|\n");
        for (Row row : rows) {
            List<Double> sorted = row.times().stream().sorted().toList();
            Map<String, Integer> paths = new LinkedHashMap<>(row.paths());
            md.append(String.format(Locale.ROOT, "| %s | %s | %d%s | %s | %s | %s | %s | %s |%n", row.fault(), row.from(),
                    sorted.size(), row.misses().isEmpty() ? "" : " (" + row.misses().size() + " missed)",
                    figure(sorted, sorted.size() / 2), figure(sorted, sorted.size() - 1), figure(sorted, 0),
                    row.bound(), paths.isEmpty() ? "-" : paths.entrySet().stream()
                            .map(path -> path.getKey() + " (" + path.getValue() + ")").collect(Collectors.joining(", "))));
        }
        for (Row row : rows) {
            for (String miss : row.misses()) {
                md.append("\nMissed, ").append(row.fault()).append(": ").append(miss.replace("|", "/")).append('\n');
            }
        }
        md.append("\nHow: Chromium runs in a network namespace of its own, joined to the host by a veth, and hears a ")
                .append(TONE_HZ).append(" Hz tone that a desktop PulseAudio plays, through a Liberty bound to the ")
                .append("veth's host address. Each try opens a fresh page and waits until it hears the tone; the page ")
                .append("then watches its own playout (getStats inbound-rtp totalAudioEnergy over totalSamplesDuration, ")
                .append("read every 20 ms, across every call the client builds). A try counts from the moment in ")
                .append("\"measured from\" (stamped before the command that ends the fault runs) to the start of the ")
                .append("first 300 ms of steady tone after the page fell silent; 0 when the tone was back before the ")
                .append("fault ended. UDP: `iptables -I INPUT -p udp -j DROP` in the browser's namespace. Resets: ")
                .append("`ss -K` of the browser's TCP connections to the server, in its namespace (the network) or on ")
                .append("the host for the server's end. The vanished browser: `ip link set ... down` in its namespace ")
                .append("with the browser left running; the call ended means `GET /API/admin/status` shows no more ")
                .append("sessions, listeners and desktop streams than before the call; everything the call held means ")
                .append("also no more sockets (the WebSocket's own TCP connection aside) and native threads (+2: ")
                .append("Liberty's executor varies by itself); its WebSocket's TCP connection closed means no TCP ")
                .append("connection with the browser that the call opened is left (`ss`; the figures before are read ")
                .append("after the browser loaded a page of the server's, so that its idle HTTP connection is in both). ")
                .append("Liberty closes a WebSocket whose close frame never comes after a fixed 30 s ")
                .append("(a read timeout written into Liberty's WsocConnLink, not configurable).\n");
        return md.toString();
    }

    private static String figure(List<Double> sorted, int index) {
        return sorted.isEmpty() ? "-" : String.format(Locale.ROOT, "%.0f", sorted.get(index));
    }
}
