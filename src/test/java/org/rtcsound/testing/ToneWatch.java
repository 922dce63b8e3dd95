package org.rtcsound.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Watches, inside a page, whether it is hearing sound, for as long as the page lives and
 * across every call the client builds (it follows {@code window.rtcsound.peerConnection}):
 * every 20 ms it reads the inbound audio's getStats, and the page is "hearing" while the
 * decoded energy per second of playout (totalAudioEnergy over totalSamplesDuration) is at a
 * tone's level. Each change is kept with its wall-clock time (ms since the epoch, the clock
 * a test also reads), so a test can say when a fault silenced the page and when it heard
 * again. Chromium refreshes these stats every 50 ms or so, which is the watch's resolution;
 * a late sample only ever makes a recovery look longer. What is heard is checked by
 * {@link PageAudio#listen} (its frequency); this only says when.
 */
public final class ToneWatch {

    /**
     * Energy per second of playout at and above which the page hears a tone. totalAudioEnergy
     * adds the square of each 10 ms frame's level (0..1): about 0.25 a second for the tests'
     * tone at half scale, 0 for digital silence and the concealment of a lost stream once it
     * has faded; a tenth of the level (-20 dB) is the line.
     */
    private static final double HEARING = 0.01;
    /** A tone is back once it has been heard this long without a break. */
    private static final long STEADY_MILLIS = 300;

    /** A change: from {@code at} (ms since the epoch) the page was hearing, or not. */
    public record Change(double at, boolean hearing) {
    }

    /** A change of the client's call (none, or its connection state) or of its socket's readyState. */
    public record CallChange(double at, String call) {
    }

    /** The changes so far and the time of the latest sample (and the longest time between two). */
    public record Watched(List<Change> changes, List<CallChange> calls, double lastSample, double longestGap) {
        boolean hearingAtEnd() {
            return !changes.isEmpty() && changes.get(changes.size() - 1).hearing();
        }
    }

    private final BrowserTab tab;

    private ToneWatch(BrowserTab tab) {
        this.tab = tab;
    }

    /** Starts watching (once per page; a second start watches on). */
    public static ToneWatch start(BrowserTab tab) {
        tab.evaluate("""
                (hearing) => {
                  if (window.toneWatch) return true;
                  const watch = window.toneWatch = { changes: [], calls: [], hearing: false, lastSample: 0, longestGap: 0 };
                  let pc = null, energy = 0, duration = 0, busy = false, call = '', calls = 0;
                  setInterval(async () => {
                    if (busy) return;
                    busy = true;
                    try {
                      const current = window.rtcsound?.peerConnection ?? null;
                      let e = null, d = null;
                      if (current && current.connectionState !== 'closed') {
                        (await current.getStats()).forEach((r) => {
                          if (r.type === 'inbound-rtp' && r.kind === 'audio') {
                            e = r.totalAudioEnergy ?? 0;
                            d = r.totalSamplesDuration ?? 0;
                          }
                        });
                      }
                      const now = performance.timeOrigin + performance.now();
                      if (current && !current.toneWatchId) current.toneWatchId = ++calls;
                      const callNow = (current ? 'call ' + current.toneWatchId + ' ' + current.connectionState : 'no call')
                          + ', socket ' + (['connecting', 'open', 'closing', 'closed'][window.rtcsound?.socket?.readyState]
                              ?? 'none');
                      if (callNow !== call) {
                        watch.calls.push({ at: now, call: callNow });
                        call = callNow;
                      }
                      let state = watch.hearing;
                      if (current !== pc || e === null) {
                        // another call (or none): nothing heard until its own playout says so
                        state = false;
                        pc = current;
                        energy = e ?? 0;
                        duration = d ?? 0;
                      } else if (d > duration) {
                        state = (e - energy) / (d - duration) >= hearing;
                        energy = e;
                        duration = d;
                      } // else: the same cached report, nothing new
                      if (watch.lastSample) watch.longestGap = Math.max(watch.longestGap, now - watch.lastSample);
                      watch.lastSample = now;
                      if (state !== watch.hearing) {
                        watch.hearing = state;
                        watch.changes.push({ at: now, hearing: state });
                      }
                    } finally {
                      busy = false;
                    }
                  }, 20);
                  return true;
                }""", HEARING);
        return new ToneWatch(tab);
    }

    /** What the page heard and did since {@code since} (ms since the epoch), each line at its ms after it. */
    public String timeline(long since) {
        Watched w = watched();
        List<String> lines = new ArrayList<>();
        java.util.TreeMap<Double, String> events = new java.util.TreeMap<>();
        w.changes().stream().filter(c -> c.at() >= since)
                .forEach(c -> events.merge(c.at(), c.hearing() ? "hearing" : "silent", (a, b) -> a + "; " + b));
        w.calls().stream().filter(c -> c.at() >= since).forEach(c -> events.merge(c.at(), c.call(), (a, b) -> a + "; " + b));
        events.forEach((at, what) -> lines.add(String.format(java.util.Locale.ROOT, "%+6.0f ms %s", at - since, what)));
        return String.join("\n", lines);
    }

    public Watched watched() {
        Map<?, ?> w = (Map<?, ?>) tab.evaluate("""
                () => ({ changes: window.toneWatch.changes, calls: window.toneWatch.calls,
                         lastSample: window.toneWatch.lastSample, longestGap: window.toneWatch.longestGap })""");
        List<Change> changes = new ArrayList<>();
        for (Object o : (List<?>) w.get("changes")) {
            Map<?, ?> change = (Map<?, ?>) o;
            changes.add(new Change(((Number) change.get("at")).doubleValue(), (Boolean) change.get("hearing")));
        }
        List<CallChange> calls = new ArrayList<>();
        for (Object o : (List<?>) w.get("calls")) {
            Map<?, ?> change = (Map<?, ?>) o;
            calls.add(new CallChange(((Number) change.get("at")).doubleValue(), (String) change.get("call")));
        }
        return new Watched(changes, calls, ((Number) w.get("lastSample")).doubleValue(),
                ((Number) w.get("longestGap")).doubleValue());
    }

    /** Waits until the page hears steadily (it is, now, and has been for {@link #STEADY_MILLIS}). */
    public void awaitHearing(long timeoutMillis) {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (true) {
            Watched w = watched();
            if (w.hearingAtEnd() && w.lastSample() - w.changes().get(w.changes().size() - 1).at() >= STEADY_MILLIS) {
                return;
            }
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("the page is not hearing the tone: " + w);
            }
            Sleep.millis(50);
        }
    }

    /**
     * How a page came through a fault: {@code silentAfter} ms after the fault began it stopped
     * hearing, and {@code backAfter} ms after the fault ended it heard steadily again
     * (negative: it was back before the fault ended, by another path).
     */
    public record Recovery(long began, long ended, double silentAfter, double backAfter) {
    }

    /** What makes a fault: runs it, and returns the moment it ended (ms since the epoch, read before undoing it). */
    @FunctionalInterface
    public interface Fault {
        long make();
    }

    /**
     * Makes a fault while the page hears, and measures how it came through: the page must
     * fall silent (else the fault did not bite, and this fails), then hear again within
     * {@code timeoutMillis} of the fault's end.
     */
    public Recovery through(Fault fault, long timeoutMillis) {
        long began = System.currentTimeMillis();
        long ended = fault.make();
        double silent = awaitSilence(began, 3000); // (kept in the page's history if it came during the fault)
        double back = awaitBack(silent, timeoutMillis);
        return new Recovery(began, ended, silent - began, back - ended);
    }

    /** When the page stopped hearing at or after {@code since} (ms since the epoch); fails after the timeout. */
    public double awaitSilence(long since, long timeoutMillis) {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (true) {
            Watched w = watched();
            for (Change change : w.changes()) {
                if (!change.hearing() && change.at() >= since) {
                    return change.at();
                }
            }
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("the page never stopped hearing after the fault: " + w);
            }
            Sleep.millis(20);
        }
    }

    /**
     * When the tone came back after the silence at {@code silentAt}: the start of the first
     * run of hearing after it that lasted {@link #STEADY_MILLIS} (a blip of a dying call
     * does not count). Fails after the timeout.
     */
    public double awaitBack(double silentAt, long timeoutMillis) {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (true) {
            Watched w = watched();
            List<Change> changes = w.changes();
            for (int i = 0; i < changes.size(); i++) {
                Change change = changes.get(i);
                if (!change.hearing() || change.at() < silentAt) {
                    continue;
                }
                double until = i + 1 < changes.size() ? changes.get(i + 1).at() : w.lastSample();
                if (until - change.at() >= STEADY_MILLIS) {
                    return change.at();
                }
            }
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("the page did not hear again within " + timeoutMillis + " ms: " + w);
            }
            Sleep.millis(50);
        }
    }
}
