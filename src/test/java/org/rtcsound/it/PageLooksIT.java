package org.rtcsound.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.ReducedMotion;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.rtcsound.testing.Chromium;
import org.rtcsound.testing.ChromiumPerClass;
import org.rtcsound.testing.PageAudio;
import org.rtcsound.testing.Suite;
import org.rtcsound.testing.Tones;

/**
 * The page at / as a person sees and uses it, in headless Chromium: the desktop's level meter
 * rises with a tone and falls back when it stops, the microphone's meter moves with Chromium's
 * fake capture, the path reads "direct" with a round-trip time, {@code rtcsound.stream} is
 * the MediaStream it plays, the status is a live region, every control has an accessible name,
 * and the buttons work from the keyboard (on the WebSocket path, where the path reads
 * "websocket (wss)"). With {@code -Drtcsound.page.screenshot=docs/page.png} that page, playing,
 * microphone on, is saved there for the README.
 */
@ExtendWith({Suite.class, ChromiumPerClass.class})
class PageLooksIT {

    private static final double TIMEOUT_MS = 20_000;
    /** The meters' floor (level-meter.js FLOOR_DB): what they show for silence. */
    private static final double SILENT_DB = -60;
    /** A 0.5 amplitude sine is -9 dBFS; "well above silent" leaves room for Opus and voice processing. */
    private static final double LOUD_DB = -35;
    private static final int SPEAKER_HZ = 523;
    private static final int MICROPHONE_HZ = 700;
    private static final Pattern ROUND_TRIP = Pattern.compile("(< 1|\\d+(\\.\\d)?) ms");

    private final Suite.Parts parts;
    private final Chromium chromium;

    PageLooksIT(Suite.Parts parts, Chromium chromium) {
        this.parts = parts;
        this.chromium = chromium;
    }

    @Test
    void theDesktopMeterFollowsTheToneAndThePathReadsDirectWithItsRoundTrip() {
        Path tone = Tones.sine(parts.work().resolve("looks-" + SPEAKER_HZ + ".wav"), SPEAKER_HZ, 20, 0.5);
        try (Chromium.Tab tab = chromium.open(parts.liberty().httpsUri("/?uid=looker"))) {
            PageAudio.awaitState(tab, "available", TIMEOUT_MS);
            PageAudio.awaitPackets(tab, 5000);

            Map<?, ?> stream = (Map<?, ?>) tab.evaluate("""
                    () => ({ isStream: window.rtcsound.stream instanceof MediaStream,
                             audio: window.rtcsound.stream.getAudioTracks().map(t => t.readyState),
                             video: window.rtcsound.stream.getVideoTracks().length })""");
            assertEquals(Map.of("isStream", true, "audio", List.of("live"), "video", 0), stream, "rtcsound.stream");

            double silent = awaitMeter(tab, "desktop-level", "<=", SILENT_DB + 5);
            Process paplay = parts.pulse().play(tone, "virtspk");
            double loud;
            try {
                loud = awaitMeter(tab, "desktop-level", ">=", LOUD_DB);
            } finally {
                paplay.destroy();
            }
            double after = awaitMeter(tab, "desktop-level", "<=", SILENT_DB + 5);
            System.out.printf("desktop meter: %.1f dB silent, %.1f dB with the tone, %.1f dB after it%n",
                    silent, loud, after);

            assertTrue(PageAudio.waitFor(tab, "() => document.getElementById('round-trip').textContent.endsWith(' ms')",
                    null, 5000), "no round trip shown: " + tab.textContent("#round-trip"));
            String path = tab.textContent("#path");
            String roundTrip = tab.textContent("#round-trip");
            Map<?, ?> connection = (Map<?, ?>) tab.evaluate("() => window.rtcsound.connection()");
            System.out.printf("path: %s, round trip %s; connection() %s%n", path, roundTrip, connection);
            assertTrue(path.startsWith("direct"), "path: " + path);
            assertTrue(ROUND_TRIP.matcher(roundTrip).matches(), "round trip: " + roundTrip);
            assertEquals("direct", connection.get("path"));
            assertTrue(((Number) connection.get("roundTripMs")).doubleValue() >= 0, "connection(): " + connection);
        }
    }

    @Test
    void theMicrophoneMeterMovesAndTheButtonsWorkFromTheKeyboard() throws Exception {
        Path voice = Tones.sine(parts.work().resolve("looks-voice-" + MICROPHONE_HZ + ".wav"), MICROPHONE_HZ, 30, 0.5);
        List<String> flags = new ArrayList<>(Chromium.FLAGS);
        flags.addAll(List.of("--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                "--use-file-for-fake-audio-capture=" + voice));
        Path tone = Tones.sine(parts.work().resolve("looks-speaker-" + SPEAKER_HZ + ".wav"), SPEAKER_HZ, 30, 0.5);
        try (Chromium talking = Chromium.launch(flags);
                Chromium.Tab tab = talking.open(parts.liberty().httpsUri("/?uid=keyboard&transport=websocket"))) {
            Page page = tab.page();
            PageAudio.awaitState(tab, "available", TIMEOUT_MS);
            assertEquals(SILENT_DB, meter(tab, "microphone-level"), "the microphone's meter before it is on");

            tabTo(page, "microphone");
            page.keyboard().press("Enter");
            awaitMicrophone(tab, "on");
            double talkingDb = awaitMeter(tab, "microphone-level", ">=", LOUD_DB);

            Process paplay = parts.pulse().play(tone, "virtspk");
            try {
                awaitMeter(tab, "desktop-level", ">=", LOUD_DB);
                PageAudio.waitFor(tab, "() => document.getElementById('round-trip').textContent.endsWith(' ms')",
                        null, 5000);
                assertEquals("websocket (wss)", tab.textContent("#path"));
                assertTrue(ROUND_TRIP.matcher(tab.textContent("#round-trip")).matches(), tab.textContent("#round-trip"));
                String screenshot = System.getProperty("rtcsound.page.screenshot");
                Path file = screenshot == null || screenshot.isBlank()
                        ? parts.work().resolve("page.png") : Path.of(screenshot);
                page.setViewportSize(800, 700);
                page.screenshot(new Page.ScreenshotOptions().setPath(file).setFullPage(true));
                assertTrue(Files.size(file) > 0);
                System.out.println("screenshot of the page playing, microphone on: " + file.toAbsolutePath());
            } finally {
                paplay.destroy();
            }

            tabTo(page, "mute");
            page.keyboard().press("Space");
            awaitMicrophone(tab, "muted");
            double mutedDb = awaitMeter(tab, "microphone-level", "<=", SILENT_DB + 5);
            System.out.printf("microphone meter: %.1f dB on, %.1f dB muted%n", talkingDb, mutedDb);

            page.keyboard().press("Space");
            awaitMicrophone(tab, "on");
            tabTo(page, "microphone");
            page.keyboard().press("Enter");
            awaitMicrophone(tab, "off");
            assertEquals(SILENT_DB, awaitMeter(tab, "microphone-level", "<=", SILENT_DB), "the meter, microphone off");
        }
    }

    /**
     * The meters move once a frame, or four times a second without the falling animation for
     * users who prefer reduced motion; they still follow the sound then. The page's meters
     * reflect their value to the value attribute, so a MutationObserver counts their moves.
     */
    @Test
    void withReducedMotionTheMeterMovesFourTimesASecond() {
        Path tone = Tones.sine(parts.work().resolve("looks-calm-" + SPEAKER_HZ + ".wav"), SPEAKER_HZ, 20, 0.5);
        try (Chromium.Tab tab = chromium.open(parts.liberty().httpsUri("/?uid=calm"))) {
            PageAudio.awaitState(tab, "available", TIMEOUT_MS);
            PageAudio.awaitPackets(tab, 5000);
            Process paplay = parts.pulse().play(tone, "virtspk");
            try {
                awaitMeter(tab, "desktop-level", ">=", LOUD_DB);
                long everyFrame = meterMoves(tab, 2000);
                tab.page().emulateMedia(new Page.EmulateMediaOptions().setReducedMotion(ReducedMotion.REDUCE));
                long calm = meterMoves(tab, 2000);
                double level = meter(tab, "desktop-level");
                System.out.printf("desktop meter moves in 2 s: %d once a frame, %d with reduced motion (%.1f dB)%n",
                        everyFrame, calm, level);
                assertTrue(everyFrame > 12, "once a frame, the meter moved " + everyFrame + " times in 2 s");
                assertTrue(calm >= 1 && calm <= 12, "with reduced motion, the meter moved " + calm + " times in 2 s");
                assertTrue(level >= LOUD_DB, "with reduced motion, the meter shows the tone at " + level + " dB");
            } finally {
                paplay.destroy();
            }
        }
    }

    /** How many times the desktop meter's value changes over {@code millis}. */
    private static long meterMoves(Chromium.Tab tab, int millis) {
        return ((Number) tab.evaluate("""
                async (millis) => {
                  let moves = 0;
                  const observer = new MutationObserver((records) => { moves += records.length; });
                  observer.observe(document.getElementById('desktop-level'), { attributeFilter: ['value'] });
                  await new Promise(r => setTimeout(r, millis));
                  observer.disconnect();
                  return moves;
                }""", millis)).longValue();
    }

    @Test
    void theStatusIsALiveRegionAndEveryControlHasAName() {
        try (Chromium.Tab tab = chromium.open(parts.liberty().httpsUri("/?uid=reader"))) {
            PageAudio.awaitState(tab, "available", TIMEOUT_MS);
            String tree = tab.page().locator("body").ariaSnapshot();
            System.out.println("accessibility tree:\n" + tree);
            assertTrue(tree.contains("- status: sound available"), "the status is a live region:\n" + tree);
            assertTrue(tree.contains("- status: microphone off"), "so is the microphone's:\n" + tree);
            for (String control : List.of("button \"Turn on the microphone\"", "meter \"Desktop sound level\"",
                    "meter \"Microphone level\"")) {
                assertTrue(tree.contains("- " + control), "no " + control + " in:\n" + tree);
            }
            Pattern unnamed = Pattern.compile("^\\s*- (button|link|meter|textbox|checkbox|slider|combobox)\\s*(:|$)",
                    Pattern.MULTILINE);
            assertTrue(!unnamed.matcher(tree).find(), "a control without a name:\n" + tree);
        }
    }

    @Test
    void whenAutoplayIsBlockedTheEnableButtonWorksFromTheKeyboard() {
        try (Chromium.Tab tab = chromium.open(parts.liberty().httpsUri("/?uid=keys"),
                SoundReachesBrowserIT.AUTOPLAY_POLICY)) {
            PageAudio.awaitState(tab, "blocked", TIMEOUT_MS);
            tabTo(tab.page(), "enable-sound");
            tab.page().keyboard().press("Enter");
            PageAudio.awaitState(tab, "available", TIMEOUT_MS);
            assertTrue(tab.page().isHidden("#enable-sound"));
        }
    }

    /** Presses Tab, a bounded number of times, until the element with this id has the focus. */
    private static void tabTo(Page page, String id) {
        for (int presses = 0; presses < 10; presses++) {
            page.keyboard().press("Tab");
            if (id.equals(page.evaluate("() => document.activeElement?.id"))) {
                return;
            }
        }
        throw new AssertionError("Tab never reaches #" + id + "; it stops at "
                + page.evaluate("() => document.activeElement?.outerHTML"));
    }

    private static void awaitMicrophone(Chromium.Tab tab, String state) {
        assertTrue(PageAudio.waitFor(tab, "s => window.rtcsound.microphoneState === s", state, 10_000),
                "microphone never reached '" + state + "': " + tab.textContent("#microphone-status"));
    }

    private static double meter(Chromium.Tab tab, String id) {
        return ((Number) tab.evaluate("id => document.getElementById(id).value", id)).doubleValue();
    }

    /** Waits (10 s at most) for the meter's value to pass the bound; returns the value it shows then. */
    private static double awaitMeter(Chromium.Tab tab, String id, String comparison, double bound) {
        String predicate = "id => document.getElementById(id).value " + comparison + " " + bound;
        if (!PageAudio.waitFor(tab, predicate, id, 10_000)) {
            throw new AssertionError("#" + id + " never " + comparison + " " + bound + " dB; it shows "
                    + meter(tab, id) + " dB");
        }
        return meter(tab, id);
    }
}
