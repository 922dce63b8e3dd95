package org.rtcsound.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.rtcsound.testing.BrowserTab;
import org.rtcsound.testing.Chromium;
import org.rtcsound.testing.FaultRig;
import org.rtcsound.testing.Firefox;
import org.rtcsound.testing.LoopingTone;
import org.rtcsound.testing.MetricsScrape;
import org.rtcsound.testing.PageAudio;
import org.rtcsound.testing.PulseAudioDaemon;
import org.rtcsound.testing.Suite;
import org.rtcsound.testing.Tones;

/**
 * A network where nothing but https to rtcsound passes (iptables in the browser's own
 * namespace: no UDP, no TCP but to the server's https port): Chromium and Firefox, each in
 * that namespace, find that ICE does not connect, move the call to the WebSocket path on
 * their own, hear the desktop's tone through it and carry their fake microphone's tone to the
 * desktop's default source. With the network open, the same page stays on WebRTC.
 */
@ExtendWith(Suite.class)
class BlockedNetworkIT {

    private static final int SPEAKER_HZ = 587;
    private static final int MICROPHONE_HZ = 700;
    private static final double HEAR_WITHIN_MS = 20_000;
    private static final String FALLBACKS = "\"kind\": \"websocket_fallback\"";

    private static FaultRig rig;
    private static LoopingTone tone;
    private static Suite.Parts parts;

    @BeforeAll
    static void start(Suite.Parts suiteParts) {
        parts = suiteParts;
        Path voice = Tones.sine(parts.work().resolve("blocked-voice-" + MICROPHONE_HZ + ".wav"), MICROPHONE_HZ, 60, 0.5);
        // The fake microphone's tone must reach the desktop as it is: the browser's voice processing off.
        rig = FaultRig.start(parts.work(), parts.pulse(), List.of("--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream", "--use-file-for-fake-audio-capture=" + voice),
                odConfig -> odConfig.replace("'echoCancellation': True", "'echoCancellation': False")
                        .replace("'noiseSuppression': True", "'noiseSuppression': False")
                        .replace("'autoGainControl': True", "'autoGainControl': False"));
        tone = LoopingTone.start(parts.pulse(), "virtspk", SPEAKER_HZ, 0.5);
    }

    @AfterAll
    static void stop() {
        if (tone != null) {
            tone.close();
        }
        if (rig != null) {
            rig.close();
        }
    }

    @AfterEach
    void openTheNetwork() {
        rig.allowEverything();
    }

    @Test
    void chromiumWhereOnlyHttpsPassesHearsAndTalksOverTheWebSocket() {
        double fallbacksBefore = MetricsScrape.of(rig.server(), parts.work()).value("rtcsound_heals_total", FALLBACKS);
        rig.allowOnlyHttps();
        try (Chromium.Tab tab = rig.open("blocked-chromium")) {
            assertHearsAndTalksOverTheWebSocket(tab, "Chromium");
        }
        assertEquals(fallbacksBefore + 1,
                MetricsScrape.of(rig.server(), parts.work()).value("rtcsound_heals_total", FALLBACKS),
                "the server counted the move to the WebSocket path");
    }

    @Test
    void firefoxWhereOnlyHttpsPassesHearsAndTalksOverTheWebSocket() {
        Map<String, Object> prefs = Firefox.prefs();
        prefs.put("media.navigator.audio.fake_frequency", MICROPHONE_HZ);
        rig.allowOnlyHttps();
        try (Firefox firefox = Firefox.launch(prefs, rig.namespace().prefix());
                Firefox.Tab tab = firefox.open(rig.page("blocked-firefox"))) {
            System.out.println("Firefox: " + firefox.version());
            assertHearsAndTalksOverTheWebSocket(tab, "Firefox");
        }
    }

    /**
     * No RTCP on this path: the server judges by what the page says (an ECHO every 2 s). A
     * page that vanishes (its link down) is asked with a ping after 3 s of quiet, and its call
     * freed 2 s later. (Its WebSocket's TCP connection is Liberty's to close, 30 s later: see
     * NetworkFaultsIT.)
     */
    @Test
    void aBrowserThatVanishesFromTheWebSocketPathHasItsCallFreedWithinTenSeconds() {
        try (Chromium.Tab tab = rig.chromium().open(rig.server().httpsUri("/style.css"))) {
            FaultRig.Baseline before = rig.baseline();
            rig.allowOnlyHttps();
            tab.page().navigate(rig.page("vanish-websocket").toString());
            PageAudio.assertHears(tab, SPEAKER_HZ);
            assertEquals("websocket", tab.evaluate("() => window.rtcsound.path"));
            FaultRig.Freed freed = rig.vanish(before, 12_000); // the link comes back after
            System.out.println("vanished browser on the WebSocket path: " + freed);
            if (freed.callFreedMillis() < 0 || freed.callFreedMillis() > 10_000) {
                System.out.println(rig.server().threadDump()); // where the call's release waits
            }
            assertTrue(freed.endedMillis() >= 0 && freed.endedMillis() <= 10_000,
                    "the call must end within 10 s: " + freed);
            assertTrue(freed.callFreedMillis() >= 0 && freed.callFreedMillis() <= 10_000,
                    "everything the call held (but the WebSocket Liberty closes) freed within 10 s: " + freed);
        }
    }

    @Test
    void withTheNetworkOpenThePageStaysOnWebRtc() {
        try (Chromium.Tab tab = rig.open("open-network")) {
            PageAudio.assertHears(tab, SPEAKER_HZ);
            assertEquals("webrtc", tab.evaluate("() => window.rtcsound.path"));
            assertEquals(0L, ((Number) tab.evaluate("() => window.rtcsound.fallbacks")).longValue());
            assertNotEquals("none", PageAudio.selectedPath(tab));
        }
    }

    private static void assertHearsAndTalksOverTheWebSocket(BrowserTab tab, String browser) {
        PageAudio.awaitState(tab, "available", HEAR_WITHIN_MS);
        assertEquals("websocket", tab.evaluate("() => window.rtcsound.path"),
                "console:\n" + String.join("\n", tab.console()));
        assertEquals(1L, ((Number) tab.evaluate("() => window.rtcsound.fallbacks")).longValue(),
                "one move to the WebSocket path");
        PageAudio.assertHears(tab, SPEAKER_HZ);
        Number decision = (Number) tab.evaluate("""
                () => {
                  const at = (step) => window.rtcsound.timeline.find((e) => e.step === step)?.at;
                  return at('first sound') - at('websocket fallback');
                }""");
        System.out.printf("%s, only https: first sound %.0f ms after the move to the WebSocket path; %s%n",
                browser, decision.doubleValue(), tab.evaluate("() => JSON.stringify(window.rtcsound.socketAudio.figures)"));

        tab.click("#microphone");
        assertTrue(PageAudio.waitFor(tab, "() => window.rtcsound.microphoneState === 'on'", null, 10_000),
                "the microphone never came on: " + tab.textContent("#microphone-status"));
        PulseAudioDaemon.Recording heard = parts.pulse().awaitMicrophoneTone(MICROPHONE_HZ);
        System.out.printf("%s, only https: the desktop hears the microphone at %.1f Hz, rms %.3f%n", browser,
                heard.frequency(), heard.rms());
        // Firefox's fake microphone plays its tone quieter than Chromium's file (as in FirefoxIT)
        double leastRms = browser.equals("Firefox") ? 0.03 : 0.05;
        assertTrue(Math.abs(heard.frequency() - MICROPHONE_HZ) <= 10 && heard.rms() > leastRms,
                browser + "'s microphone: the desktop hears " + heard.frequency() + " Hz, rms " + heard.rms());
        tab.click("#microphone");
        assertTrue(PageAudio.waitFor(tab, "() => window.rtcsound.microphoneState === 'off'", null, 10_000));
    }
}
