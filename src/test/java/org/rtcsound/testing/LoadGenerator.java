package org.rtcsound.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Many listeners in one headless Chromium: a few pages (each in a context of its own, so a
 * renderer process of its own), each running the test page src/test/resources/load/listeners.html
 * at the server's origin with rtcsound's own client module, one RtcSound per listener. The
 * listeners added with {@code decode} play into an audio element, all in the first page; the
 * others, in the other pages, play nothing, so Chromium receives and decrypts their RTP but
 * does not decode it. Chromium counts every peer connection a page ever made against a limit
 * of about 500 per renderer, so those listeners are spread over the other pages.
 */
public final class LoadGenerator implements AutoCloseable {

    /**
     * Flags beyond the suite's: timers and renderers of pages in the background are not
     * slowed; and Local Network Access checks are off, since the test's own document (served
     * by Playwright, so of no known address) would otherwise be refused its WebSocket to
     * localhost (net::ERR_BLOCKED_BY_LOCAL_NETWORK_ACCESS_CHECKS). Chromium reads only the last
     * --disable-features, so the suite's features are repeated in it.
     */
    private static final List<String> EXTRA_FLAGS = List.of("--disable-background-timer-throttling",
            "--disable-renderer-backgrounding", "--disable-backgrounding-occluded-windows");
    private static final String DISABLED_FEATURES = "LocalNetworkAccessChecks,LocalNetworkAccessChecksWebSockets,"
            + "LocalNetworkAccessChecksWebRTC";

    private final Chromium chromium;
    private final List<Chromium.Tab> pages = new ArrayList<>();
    private int added;

    /**
     * One listener to add. One with {@code hangUp} is a short call: it hangs up by itself once
     * connected and its first audio packets have arrived, and is then listed by {@link #takeFinished()}.
     */
    public record Listener(int id, String uid, String token, boolean decode, boolean hangUp) {
        public Listener(int id, String uid, String token, boolean decode) {
            this(id, uid, token, decode, false);
        }
    }

    /**
     * A short call that hung up: how long it took to connect and to receive packets (ms after
     * it was added), the packets it had, and how many peer connections its client built.
     */
    public record Finished(int id, double connectMs, double heardMs, long packets, int attempts, int errors,
            String lastError, int stalls) {
    }

    /**
     * What {@link #watch} saw of one listener: samples taken, the longest time it certainly
     * received no packet (between a sample that saw packets grow and a later one that saw none
     * more), new peer connections (restarts), packets received meanwhile, the longest time
     * between two samples, and the client's own stall restarts and new peer connections.
     */
    public record Watched(int id, String state, int samples, double longestSilentMs, int restarts, long packets,
            double longestIntervalMs, int stalls, int attempts) {
    }

    /** A listener's state and inbound RTP counters (as of {@code timestamp}, ms), as the page reported them. */
    public record Row(int id, boolean decode, String state, int errors, String lastError, int drops, int connections,
            double connectMs, long packetsReceived, long packetsLost, long concealedSamples,
            long totalSamplesReceived, double jitter, double timestamp) {
    }

    /** What the analyser heard from one decoding listener. */
    public record Tone(int id, double peakHz, double binHz, double rms) {
    }

    private LoadGenerator(Chromium chromium) {
        this.chromium = chromium;
    }

    /** {@code pageCount} pages (at least 2: one for the decoding listeners, the others for the rest). */
    public static LoadGenerator start(LibertyServer server, int pageCount) {
        if (pageCount < 2) {
            throw new IllegalArgumentException("the load generator needs 2 pages or more, not " + pageCount);
        }
        List<String> flags = new ArrayList<>();
        boolean disabling = false;
        for (String flag : Chromium.FLAGS) {
            if (flag.startsWith("--disable-features=")) {
                flag = flag + "," + DISABLED_FEATURES;
                disabling = true;
            }
            flags.add(flag);
        }
        if (!disabling) {
            flags.add("--disable-features=" + DISABLED_FEATURES);
        }
        flags.addAll(EXTRA_FLAGS);
        LoadGenerator generator = new LoadGenerator(Chromium.launch(flags));
        try {
            String html = resource("/load/listeners.html");
            for (int i = 0; i < pageCount; i++) {
                Chromium.Tab tab = generator.chromium.openServed(server.httpsUri("/load-listeners-" + i + ".html"), html);
                generator.pages.add(tab);
                if (!PageAudio.waitFor(tab, "() => window.load?.ready === true", null, 20_000)) {
                    throw new IllegalStateException("the load page did not start; console:\n"
                            + String.join("\n", tab.console()));
                }
            }
        } catch (RuntimeException e) {
            generator.close();
            throw e;
        }
        return generator;
    }

    private static String resource(String name) {
        try (InputStream in = LoadGenerator.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("no test resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Adds listeners and returns at once (they connect by themselves). The decoding ones go
     * to the first page, the others in turn to the rest: Chromium mixes, so decodes, every
     * remote audio stream of a renderer process as soon as one of them plays, so a page that
     * holds a playing listener decodes all of its listeners.
     */
    public void add(List<Listener> listeners) {
        List<List<Map<String, Object>>> perPage = new ArrayList<>();
        for (int i = 0; i < pages.size(); i++) {
            perPage.add(new ArrayList<>());
        }
        for (Listener l : listeners) {
            int page = l.decode() || pages.size() == 1 ? 0 : 1 + added++ % (pages.size() - 1);
            perPage.get(page).add(Map.of("id", l.id(), "uid", l.uid(), "token", l.token(), "decode", l.decode(),
                    "hangUp", l.hangUp()));
        }
        for (int i = 0; i < pages.size(); i++) {
            if (!perPage.get(i).isEmpty()) {
                pages.get(i).page().evaluate("list => window.load.add(list)", perPage.get(i));
            }
        }
    }

    /** How many listeners are "available" (connected and playing), of how many. */
    public int[] available() {
        int available = 0;
        int total = 0;
        for (Chromium.Tab tab : pages) {
            Map<?, ?> c = (Map<?, ?>) tab.page().evaluate("() => window.load.counts()");
            available += ((Number) c.get("available")).intValue();
            total += ((Number) c.get("total")).intValue();
        }
        return new int[] {available, total};
    }

    /** Every listener's state and counters. */
    public List<Row> snapshot() {
        List<Row> rows = new ArrayList<>();
        for (Chromium.Tab tab : pages) {
            for (Object o : (List<?>) tab.page().evaluate("() => window.load.snapshot()")) {
                Map<?, ?> r = (Map<?, ?>) o;
                rows.add(new Row(integer(r, "id"), Boolean.TRUE.equals(r.get("decode")), (String) r.get("state"),
                        integer(r, "errors"), (String) r.get("lastError"), integer(r, "drops"),
                        integer(r, "connections"), number(r, "connectMs"), (long) number(r, "packetsReceived"),
                        (long) number(r, "packetsLost"), (long) number(r, "concealedSamples"),
                        (long) number(r, "totalSamplesReceived"), number(r, "jitter"), number(r, "timestamp")));
            }
        }
        return rows;
    }

    /** Starts listening to every decoding listener for {@code millis}; read with {@link #tones()}. */
    public void startTones(int millis) {
        for (Chromium.Tab tab : pages) {
            tab.page().evaluate("ms => window.load.startTones(ms)", millis);
        }
    }

    /** What {@link #startTones} heard, waiting for it up to 10 s per page. */
    public List<Tone> tones() {
        List<Tone> tones = new ArrayList<>();
        for (Chromium.Tab tab : pages) {
            if (!PageAudio.waitFor(tab, "() => window.load.tones !== null", null, 10_000)) {
                continue;
            }
            for (Object o : (List<?>) tab.page().evaluate("() => window.load.tones")) {
                Map<?, ?> t = (Map<?, ?>) o;
                if (t.containsKey("error")) {
                    throw new IllegalStateException("listening failed in the page: " + t.get("error"));
                }
                tones.add(new Tone(integer(t, "id"), number(t, "peakHz"), number(t, "binHz"), number(t, "rms")));
            }
        }
        return tones;
    }

    /** The short calls that hung up since the last call, from every page. */
    public List<Finished> takeFinished() {
        List<Finished> done = new ArrayList<>();
        for (Chromium.Tab tab : pages) {
            for (Object o : (List<?>) tab.page().evaluate("() => window.load.takeFinished()")) {
                Map<?, ?> f = (Map<?, ?>) o;
                done.add(new Finished(integer(f, "id"), number(f, "connectMs"), number(f, "heardMs"),
                        (long) number(f, "packets"), integer(f, "attempts"), integer(f, "errors"),
                        (String) f.get("lastError"), integer(f, "stalls")));
            }
        }
        return done;
    }

    /** These listeners hang up (wherever they are). */
    public void stop(Collection<Integer> ids) {
        List<Integer> list = List.copyOf(ids);
        for (Chromium.Tab tab : pages) {
            tab.page().evaluate("ids => window.load.stop(ids)", list);
        }
    }

    /** Samples these listeners' inbound packets in their page every {@code everyMillis}; read with {@link #watched()}. */
    public void watch(List<Integer> ids, int everyMillis) {
        for (Chromium.Tab tab : pages) {
            tab.page().evaluate("([ids, ms]) => window.load.watch(ids, ms)", List.of(ids, everyMillis));
        }
    }

    /** What {@link #watch} has seen so far. */
    public List<Watched> watched() {
        List<Watched> seen = new ArrayList<>();
        for (Chromium.Tab tab : pages) {
            for (Object o : (List<?>) tab.page().evaluate("() => window.load.watched()")) {
                Map<?, ?> w = (Map<?, ?>) o;
                seen.add(new Watched(integer(w, "id"), (String) w.get("state"), integer(w, "samples"),
                        number(w, "longestSilentMs"), integer(w, "restarts"), (long) number(w, "packets"),
                        number(w, "longestIntervalMs"), integer(w, "stalls"), integer(w, "attempts")));
            }
        }
        return seen;
    }

    /** Every listener hangs up (its socket and peer connection closed). */
    public void stopAll() {
        for (Chromium.Tab tab : pages) {
            tab.page().evaluate("() => window.load.stopAll()");
        }
    }

    /** For up to {@code limit} listeners per page that are not available: their state and last log lines. */
    public List<String> troubles(int limit) {
        List<String> lines = new ArrayList<>();
        for (Chromium.Tab tab : pages) {
            for (Object o : (List<?>) tab.page().evaluate("n => window.load.troubles(n)", limit)) {
                Map<?, ?> t = (Map<?, ?>) o;
                lines.add("listener " + t.get("id") + " (" + t.get("state") + "): " + t.get("log"));
            }
        }
        return lines;
    }

    /** The console lines of every page, to say why a listener failed. */
    public List<String> console() {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < pages.size(); i++) {
            for (String line : pages.get(i).console()) {
                lines.add("page " + i + ": " + line);
            }
        }
        return lines;
    }

    /** Whether a process is one of this Chromium's (the launcher script execs the real binary). */
    public static boolean isChromium(String command) {
        return command.contains("chromium") || command.contains("chrome");
    }

    private static int integer(Map<?, ?> map, String key) {
        return (int) number(map, key);
    }

    private static double number(Map<?, ?> map, String key) {
        Object value = map.get(key);
        return value == null ? 0 : ((Number) value).doubleValue();
    }

    @Override
    public void close() {
        for (Chromium.Tab tab : pages) {
            try {
                tab.close();
            } catch (RuntimeException e) {
                // closing anyway
            }
        }
        chromium.close();
    }
}
