package org.rtcsound.testing;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Listens, inside the page, to what rtcsound's client receives: a WebAudio analyser on
 * the remote stream (the frequency and level heard) and the peer connection's getStats.
 * The same page-side functions run in Chromium and in Firefox.
 */
public final class PageAudio {

    /** What the analyser heard over a window. */
    public record Heard(double peakHz, double peakDb, double binHz, double rms) {
    }

    /** Inbound audio RTP as getStats reports it (on the WebSocket path: the frames received, and no energy). */
    public record Inbound(long packetsReceived, double totalAudioEnergy) {
    }

    private PageAudio() {
    }

    /**
     * The page plays sound of this frequency: it connects, packets arrive and a second of
     * what it decodes peaks within two analyser bins of {@code frequency}.
     */
    public static void assertHears(BrowserTab tab, int frequency) {
        awaitState(tab, "available", 20_000);
        awaitPackets(tab, 5000);
        Heard heard = listen(tab, 1000);
        if (Math.abs(heard.peakHz() - frequency) > 2 * heard.binHz()) {
            throw new AssertionError("expected " + frequency + " Hz, heard " + heard);
        }
    }

    /** What the page heard while the desktop played a file, with getStats before and after. */
    public record Listening(Inbound before, Heard heard, Inbound after) {
    }

    /** Once packets flow, plays {@code wav} into the desktop's speaker and listens to a second of it in the page. */
    public static Listening listenWhilePlaying(BrowserTab tab, PulseAudioDaemon desktop, Path wav) {
        awaitPackets(tab, 5000);
        Process paplay = desktop.play(wav, "virtspk");
        try {
            Sleep.millis(500);
            Inbound before = inbound(tab);
            Heard heard = listen(tab, 1000);
            return new Listening(before, heard, inbound(tab));
        } finally {
            paplay.destroy();
        }
    }

    /** The page's console shows each step of the seed's call, as abcdesktop's client logs them. */
    public static void assertTheSeedsStepsWereLogged(List<String> console) {
        String all = String.join("\n", console);
        for (String step : List.of("rtc_configuration", "Created peer connection for call",
                "Got remote description", "Local stream answer", "Exchange from foundation",
                "ICE Candidate was null, done")) {
            if (!all.contains(step)) {
                throw new AssertionError("console lacks '" + step + "':\n" + all);
            }
        }
    }

    /** Waits for the client's state; on timeout, fails with what the page showed and logged. */
    public static void awaitState(BrowserTab tab, String state, double timeoutMillis) {
        if (!waitFor(tab, "s => !!window.rtcsound && window.rtcsound.state === s", state, timeoutMillis)) {
            throw new AssertionError("page never reached state '" + state + "'; it shows '"
                    + tab.textContent("#status") + "'; console:\n" + String.join("\n", tab.console()));
        }
    }

    /**
     * Polls a predicate (a function of one argument) in the page every 20 ms; true once it
     * holds. Playwright's waitForFunction evaluates strings with eval, which the page's
     * Content-Security-Policy rightly forbids; a function called through the browser's
     * automation protocol (DevTools, WebDriver BiDi) is not subject to it.
     */
    public static boolean waitFor(BrowserTab tab, String predicate, Object argument, double timeoutMillis) {
        long deadline = System.nanoTime() + (long) (timeoutMillis * 1_000_000);
        while (true) {
            if (Boolean.TRUE.equals(tab.evaluate(predicate, argument))) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            Sleep.millis(20);
        }
    }

    /**
     * Waits until audio packets arrive. A capture that starts on the monitor of an idle
     * null sink gets its first data only when the sink's current block ends: PulseAudio 16
     * renders an idle null sink in 2 s blocks (measured here: 2.0 s with parec too).
     */
    public static Inbound awaitPackets(BrowserTab tab, long timeoutMillis) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        Inbound inbound = inbound(tab);
        while (inbound.packetsReceived() == 0 && System.nanoTime() < deadline) {
            Sleep.millis(20);
            inbound = inbound(tab);
        }
        if (inbound.packetsReceived() == 0) {
            throw new AssertionError("no audio packets within " + timeoutMillis + " ms");
        }
        return inbound;
    }

    /**
     * Listens for {@code millis} and reports the loudest bin and the RMS level (0..1).
     * The power of spectra taken every 100 ms is summed, so that one concealed packet
     * (a smeared snapshot on a loaded machine) cannot move the peak.
     */
    public static Heard listen(BrowserTab tab, int millis) {
        Map<?, ?> r = (Map<?, ?>) tab.evaluate("""
                async (millis) => {
                  const ctx = new AudioContext({ sampleRate: 48000 });
                  await ctx.resume();
                  const source = ctx.createMediaStreamSource(window.rtcsound.remoteStream);
                  const analyser = ctx.createAnalyser();
                  analyser.fftSize = 8192;
                  analyser.smoothingTimeConstant = 0;
                  source.connect(analyser);
                  const power = new Float64Array(analyser.frequencyBinCount);
                  const spectrum = new Float32Array(analyser.frequencyBinCount);
                  const wave = new Float32Array(analyser.fftSize);
                  let squares = 0, samples = 0, snapshots = 0;
                  const started = performance.now();
                  await new Promise(r => setTimeout(r, Math.min(200, millis)));
                  while (true) {
                    analyser.getFloatFrequencyData(spectrum);
                    for (let i = 0; i < spectrum.length; i++) power[i] += Math.pow(10, spectrum[i] / 10);
                    analyser.getFloatTimeDomainData(wave);
                    for (const v of wave) squares += v * v;
                    samples += wave.length;
                    snapshots++;
                    if (performance.now() - started >= millis) break;
                    await new Promise(r => setTimeout(r, 100));
                  }
                  let best = 1;
                  for (let i = 2; i < power.length; i++) if (power[i] > power[best]) best = i;
                  const result = { peakHz: best * ctx.sampleRate / analyser.fftSize,
                                   peakDb: 10 * Math.log10(power[best] / snapshots),
                                   binHz: ctx.sampleRate / analyser.fftSize, rms: Math.sqrt(squares / samples) };
                  await ctx.close();
                  return result;
                }""", millis);
        return new Heard(number(r, "peakHz"), number(r, "peakDb"), number(r, "binHz"), number(r, "rms"));
    }

    public static Inbound inbound(BrowserTab tab) {
        Map<?, ?> r = (Map<?, ?>) tab.evaluate("""
                async () => {
                  if (window.rtcsound.path === 'websocket') {
                    // the WebSocket path's frames, one per 10 ms packet as WebRTC's packets are
                    return { packetsReceived: window.rtcsound.socketAudio?.framesReceived ?? 0, totalAudioEnergy: 0 };
                  }
                  const stats = await window.rtcsound.peerConnection.getStats();
                  for (const report of stats.values()) {
                    if (report.type === 'inbound-rtp' && report.kind === 'audio') {
                      return { packetsReceived: report.packetsReceived ?? 0,
                               totalAudioEnergy: report.totalAudioEnergy ?? 0 };
                    }
                  }
                  return { packetsReceived: 0, totalAudioEnergy: 0 };
                }""");
        return new Inbound((long) number(r, "packetsReceived"), number(r, "totalAudioEnergy"));
    }

    /**
     * The page's selected candidate pair as its getStats reports it: {@code protocol} (udp, or
     * tcp for ICE over TCP), {@code localType}, {@code relayProtocol} (of a local relay
     * candidate, else empty) and {@code remoteType}; empty before a pair is selected.
     */
    public static Map<String, String> selectedCandidates(BrowserTab tab) {
        Object found = tab.evaluate("""
                async () => {
                  const pc = window.rtcsound.peerConnection;
                  if (!pc) return null;
                  const stats = await pc.getStats();
                  for (const transport of stats.values()) {
                    if (transport.type === 'transport' && transport.selectedCandidatePairId) {
                      const pair = stats.get(transport.selectedCandidatePairId);
                      const local = stats.get(pair.localCandidateId);
                      return { protocol: local.protocol, localType: local.candidateType,
                               relayProtocol: local.relayProtocol ?? '',
                               remoteType: stats.get(pair.remoteCandidateId).candidateType };
                    }
                  }
                  return null;
                }""");
        Map<String, String> candidates = new java.util.LinkedHashMap<>();
        if (found instanceof Map<?, ?> map) {
            map.forEach((key, value) -> candidates.put(String.valueOf(key), String.valueOf(value)));
        }
        return candidates;
    }

    /** The selected pair as "prflx/host" (local and remote candidate types); "none" before one is selected. */
    public static String selectedPair(BrowserTab tab) {
        Map<String, String> c = selectedCandidates(tab);
        return c.isEmpty() ? "none" : c.get("localType") + "/" + c.get("remoteType");
    }

    /**
     * The selected pair as "udp prflx/host": the transport protocol (udp, or tcp for ICE over
     * TCP) and the local and remote candidate types; "none" before a pair is selected.
     */
    public static String selectedPath(BrowserTab tab) {
        Map<String, String> c = selectedCandidates(tab);
        return c.isEmpty() ? "none" : c.get("protocol") + " " + c.get("localType") + "/" + c.get("remoteType");
    }

    private static double number(Map<?, ?> map, String key) {
        return ((Number) map.get(key)).doubleValue();
    }
}
