package org.rtcsound.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.rtcsound.testing.Firefox;
import org.rtcsound.testing.PageAudio;
import org.rtcsound.testing.PulseAudioDaemon;
import org.rtcsound.testing.Sleep;
import org.rtcsound.testing.Suite;
import org.rtcsound.testing.Tones;

/**
 * What a user of Firefox gets, end to end with Debian's real headless firefox-esr (driven
 * over WebDriver BiDi, see {@link Firefox}): a tone played into the desktop is heard in the
 * page at its frequency, silence is silent, a blocked autoplay is one click away from sound,
 * Firefox's fake microphone reaches the desktop's default source, and a dropped signalling
 * connection comes back to sound without a reload.
 */
@ExtendWith(Suite.class)
class FirefoxIT {

    private static final double TIMEOUT_MS = 20_000;
    private static final int MICROPHONE_HZ = 700;
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static Firefox firefox;

    private final Suite.Parts parts;

    FirefoxIT(Suite.Parts parts) {
        this.parts = parts;
    }

    @BeforeAll
    static void launch() {
        Map<String, Object> prefs = Firefox.prefs();
        prefs.put("media.navigator.audio.fake_frequency", MICROPHONE_HZ); // the fake microphone's tone
        firefox = Firefox.launch(prefs);
        System.out.println("Firefox: " + firefox.version());
    }

    @AfterAll
    static void close() {
        if (firefox != null) {
            firefox.close();
        }
    }

    @Test
    void aToneInTheDesktopIsHeardInThePageAtItsFrequency() {
        int frequency = 300 + new Random().nextInt(2500);
        Path tone = Tones.sine(parts.work().resolve("firefox-tone-" + frequency + ".wav"), frequency, 10, 0.5);
        try (Firefox.Tab tab = firefox.open(parts.liberty().httpsUri("/?uid=fox"))) {
            PageAudio.awaitState(tab, "available", TIMEOUT_MS);
            assertEquals("sound available", tab.textContent("#status"));
            tab.screenshot(parts.work().resolve("firefox-sound-available.png"));
            PageAudio.Listening result = PageAudio.listenWhilePlaying(tab, parts.pulse(), tone);
            System.out.printf("Firefox: played %d Hz, heard %s; %s -> %s%n", frequency, result.heard(),
                    result.before(), result.after());
            assertTrue(Math.abs(result.heard().peakHz() - frequency) <= 2 * result.heard().binHz(),
                    "played " + frequency + " Hz, heard " + result.heard());
            assertTrue(result.heard().rms() > 0.05, "level too low: " + result.heard());
            assertTrue(result.after().packetsReceived() > result.before().packetsReceived(), "packets: " + result);
            PageAudio.assertTheSeedsStepsWereLogged(tab.console());
        }
    }

    /** The page's desktop meter and path, as PageLooksIT checks them in Chromium. */
    @Test
    void theDesktopMeterFollowsTheToneAndThePathReadsDirect() {
        Path tone = Tones.sine(parts.work().resolve("firefox-meter-523.wav"), 523, 20, 0.5);
        try (Firefox.Tab tab = firefox.open(parts.liberty().httpsUri("/?uid=meterfox"))) {
            PageAudio.awaitState(tab, "available", TIMEOUT_MS);
            PageAudio.awaitPackets(tab, 5000);
            assertTrue(PageAudio.waitFor(tab, "() => document.getElementById('desktop-level').value <= -55", null,
                    10_000), "the meter before the tone: " + tab.evaluate(DESKTOP_LEVEL));
            Process paplay = parts.pulse().play(tone, "virtspk");
            try {
                assertTrue(PageAudio.waitFor(tab, "() => document.getElementById('desktop-level').value >= -35", null,
                        10_000), "the meter with the tone: " + tab.evaluate(DESKTOP_LEVEL));
            } finally {
                paplay.destroy();
            }
            assertTrue(PageAudio.waitFor(tab, "() => document.getElementById('desktop-level').value <= -55", null,
                    10_000), "the meter after the tone: " + tab.evaluate(DESKTOP_LEVEL));
            assertTrue(PageAudio.waitFor(tab, "() => document.getElementById('path').textContent.startsWith('direct')",
                    null, 5000), "path: " + tab.textContent("#path"));
            Object connection = tab.evaluate("() => window.rtcsound.connection()");
            System.out.printf("Firefox: path %s, round trip %s; connection() %s%n", tab.textContent("#path"),
                    tab.textContent("#round-trip"), connection);
            assertEquals("direct", ((Map<?, ?>) connection).get("path"));
        }
    }

    private static final String DESKTOP_LEVEL = "() => document.getElementById('desktop-level').value";

    @Test
    void silenceInTheDesktopIsSilenceInThePage() {
        Path silence = Tones.silence(parts.work().resolve("firefox-silence.wav"), 10);
        try (Firefox.Tab tab = firefox.open(parts.liberty().httpsUri("/?uid=quietfox"))) {
            PageAudio.awaitState(tab, "available", TIMEOUT_MS);
            PageAudio.Listening result = PageAudio.listenWhilePlaying(tab, parts.pulse(), silence);
            System.out.printf("Firefox: silence heard as %s%n", result.heard());
            assertTrue(result.after().packetsReceived() > result.before().packetsReceived(), "still streaming: " + result);
            assertTrue(result.heard().rms() < 0.001, "silence expected: " + result);
        }
    }

    @Test
    void whenAutoplayIsBlockedOneButtonEnablesSound() {
        Map<String, Object> prefs = Firefox.prefs();
        prefs.put("media.autoplay.default", 1); // block audible media until the user interacts
        Process paplay = parts.pulse().play(Tones.sine(parts.work().resolve("firefox-autoplay-660.wav"), 660, 30, 0.5),
                "virtspk");
        try (Firefox blocking = Firefox.launch(prefs);
                Firefox.Tab tab = blocking.open(parts.liberty().httpsUri("/?uid=blockedfox"))) {
            PageAudio.awaitState(tab, "blocked", TIMEOUT_MS);
            assertEquals(Boolean.FALSE, tab.evaluate("() => document.getElementById('enable-sound').hidden"));
            assertEquals("sound is ready: click to enable it", tab.textContent("#status"));
            tab.click("#enable-sound");
            PageAudio.assertHears(tab, 660);
            assertEquals(Boolean.TRUE, tab.evaluate("() => document.getElementById('enable-sound').hidden"));
        } finally {
            paplay.destroy();
        }
    }

    @Test
    void theFakeMicrophoneReachesTheDesktopsDefaultSource() {
        // A pure tone measured at the desktop needs the browser's voice processing off:
        // od.config's webrtc.rtc_constraints say so (as in MicrophoneIT).
        Suite.editOdConfig(sample -> sample.replace("'echoCancellation': True", "'echoCancellation': False")
                .replace("'noiseSuppression': True", "'noiseSuppression': False")
                .replace("'autoGainControl': True", "'autoGainControl': False"));
        Process paplay = null;
        try {
            parts.liberty().awaitConfig(c -> !c.getJsonObject("values").getJsonObject("webrtc.rtc_constraints")
                    .getJsonObject("audio").getBoolean("echoCancellation"), WAIT);
            paplay = parts.pulse().play(Tones.sine(parts.work().resolve("firefox-speaker-440.wav"), 440, 30, 0.5),
                    "virtspk");
            try (Firefox.Tab tab = firefox.open(parts.liberty().httpsUri("/?uid=talkingfox"))) {
                PageAudio.awaitState(tab, "available", TIMEOUT_MS);
                PageAudio.awaitPackets(tab, 5000);
                tab.click("#microphone");
                assertTrue(PageAudio.waitFor(tab, "s => window.rtcsound.microphoneState === s", "on", 10_000),
                        "microphone never on: " + tab.textContent("#microphone-status") + "\n" + tab.console());
                assertEquals("microphone on", tab.textContent("#microphone-status"));
                Sleep.millis(1000);
                PulseAudioDaemon.Recording heardByDesktop = parts.pulse().record("@DEFAULT_SOURCE@", 1200);
                PageAudio.Heard heardByPage = PageAudio.listen(tab, 1000);
                System.out.printf("Firefox microphone: the desktop hears %.1f Hz at rms %.3f; the page hears %s%n",
                        heardByDesktop.frequency(), heardByDesktop.rms(), heardByPage);
                assertTrue(Math.abs(heardByDesktop.frequency() - MICROPHONE_HZ) <= 10,
                        "the desktop hears " + heardByDesktop.frequency() + " Hz, rms " + heardByDesktop.rms());
                assertTrue(heardByDesktop.rms() > 0.03, "the desktop hears a level of " + heardByDesktop.rms());
                assertTrue(Math.abs(heardByPage.peakHz() - 440) <= 2 * heardByPage.binHz(),
                        "the page still hears the desktop: " + heardByPage);
            }
        } finally {
            if (paplay != null) {
                paplay.destroy();
            }
            Suite.restoreOdConfig();
            parts.liberty().awaitConfig(c -> c.getJsonObject("values").getJsonObject("webrtc.rtc_constraints")
                    .getJsonObject("audio").getBoolean("echoCancellation"), WAIT);
        }
    }

    @Test
    void aDroppedConnectionComesBackToSoundWithoutAReload() {
        Process paplay = parts.pulse().play(Tones.sine(parts.work().resolve("firefox-reconnect-880.wav"), 880, 40, 0.5),
                "virtspk");
        try (Firefox.Tab tab = firefox.open(parts.liberty().httpsUri("/?uid=droppedfox"))) {
            PageAudio.assertHears(tab, 880);
            tab.evaluate("() => { window.sameDocument = true; }");
            int dropped = firefox.dropConnectionsTo(parts.liberty().httpsUri("/").getPort());
            assertTrue(dropped > 0, "no connection of Firefox's to drop");
            assertTrue(PageAudio.waitFor(tab, "() => window.rtcsound.state !== 'available'", null, 5000),
                    "the page never noticed the drop: " + tab.console());
            PageAudio.assertHears(tab, 880);
            assertEquals(Boolean.TRUE, tab.evaluate("() => window.sameDocument === true"), "the page was reloaded");
            List<String> console = tab.console();
            long calls = console.stream().filter(line -> line.startsWith("Created peer connection")).count();
            System.out.println("Firefox after the drop of " + dropped + " connections: "
                    + console.stream().filter(line -> line.startsWith("Signalling closed")).toList() + ", " + calls
                    + " calls");
            assertTrue(console.stream().anyMatch(line -> line.startsWith("Signalling closed")), "console: " + console);
            assertTrue(calls >= 2, "a call before the drop and one after: " + console);
        } finally {
            paplay.destroy();
        }
    }

}
