package org.rtcsound.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.rtcsound.testing.Chromium;
import org.rtcsound.testing.ChromiumPerClass;
import org.rtcsound.testing.PageAudio;
import org.rtcsound.testing.Suite;
import org.rtcsound.testing.Tones;

/**
 * End to end with real parts: a tone played into the desktop's sink (virtspk) with
 * paplay is heard in headless Chromium's page, through Liberty, GStreamer and WebRTC.
 */
@ExtendWith({Suite.class, ChromiumPerClass.class})
class SoundReachesBrowserIT {

    private static final double TIMEOUT_MS = 20_000;

    private final Suite.Parts parts;
    private final Chromium chromium;

    SoundReachesBrowserIT(Suite.Parts parts, Chromium chromium) {
        this.parts = parts;
        this.chromium = chromium;
    }

    @Test
    void aToneInTheDesktopIsHeardInThePageAtItsFrequency() {
        int frequency = 300 + new Random().nextInt(2500);
        Path tone = Tones.sine(parts.work().resolve("tone-" + frequency + ".wav"), frequency, 10, 0.5);
        try (Chromium.Tab tab = chromium.open(parts.liberty().httpsUri("/?uid=alice"))) {
            PageAudio.awaitState(tab, "available", TIMEOUT_MS);
            assertEquals("sound available", tab.page().textContent("#status"));
            tab.screenshot(parts.work().resolve("page-sound-available.png")); // what a person sees
            PageAudio.Listening result = PageAudio.listenWhilePlaying(tab, parts.pulse(), tone);
            PageAudio.Inbound before = result.before();
            PageAudio.Heard heard = result.heard();
            PageAudio.Inbound after = result.after();
            assertTrue(Math.abs(heard.peakHz() - frequency) <= 2 * heard.binHz(),
                    "played " + frequency + " Hz, heard " + heard);
            assertTrue(heard.rms() > 0.05, "level too low: " + heard);
            assertTrue(after.packetsReceived() > before.packetsReceived() && before.packetsReceived() > 0,
                    "packets: " + before + " -> " + after);
            assertTrue(after.totalAudioEnergy() > before.totalAudioEnergy(), "energy: " + before + " -> " + after);
            String sdp = (String) tab.page().evaluate("window.rtcsound.peerConnection.localDescription.sdp");
            assertTrue(sdp.contains("stereo=1"), "the answer asks for stereo: " + sdp);
            PageAudio.assertTheSeedsStepsWereLogged(tab.console());
        }
    }


    @Test
    void silenceInTheDesktopIsSilenceInThePage() {
        Path silence = Tones.silence(parts.work().resolve("silence.wav"), 10);
        try (Chromium.Tab tab = chromium.open(parts.liberty().httpsUri("/?uid=bob"))) {
            PageAudio.awaitState(tab, "available", TIMEOUT_MS);
            PageAudio.Listening result = PageAudio.listenWhilePlaying(tab, parts.pulse(), silence);
            assertTrue(result.after().packetsReceived() > result.before().packetsReceived(), "still streaming: " + result);
            assertTrue(result.heard().rms() < 0.001, "silence expected: " + result);
            assertTrue(result.after().totalAudioEnergy() - result.before().totalAudioEnergy() < 1e-6,
                    "energy near zero expected: " + result);
        }
    }

    @Test
    void overPlainHttpThePageSaysSoundNeedsHttpsAndLinksThere() {
        try (Chromium.Tab tab = chromium.open(parts.liberty().httpUri("/?uid=carol"))) {
            PageAudio.awaitState(tab, "insecure", TIMEOUT_MS);
            assertEquals("WebRTC sound needs a secure (https) page", tab.page().textContent("#status"));
            assertTrue(PageAudio.waitFor(tab,
                    "() => document.getElementById('secure-link').href.startsWith('https:')", null, TIMEOUT_MS));
            assertEquals(parts.liberty().httpsUri("/?uid=carol").toString(),
                    tab.page().getAttribute("#secure-link", "href"));
        }
    }

    /**
     * Headless Chromium here lets a WebRTC stream autoplay whatever --autoplay-policy says
     * (tried: user-gesture-required, document-user-activation-required; it blocked only
     * now and then, and Playwright's pages count as user-activated from the start), so the
     * page's play() is held to the policy by hand: refused until a real (trusted) click.
     */
    static final String AUTOPLAY_POLICY = String.join("\n",
            "let clicked = false;",
            "addEventListener('click', (event) => { clicked ||= event.isTrusted; }, true);",
            "const play = HTMLMediaElement.prototype.play;",
            "HTMLMediaElement.prototype.play = function () {",
            "  return clicked ? play.call(this)",
            "      : Promise.reject(new DOMException('play() needs a user gesture', 'NotAllowedError'));",
            "};");

    @Test
    void whenAutoplayIsBlockedOneButtonEnablesSound() {
        try (Chromium.Tab tab = chromium.open(parts.liberty().httpsUri("/?uid=dave"), AUTOPLAY_POLICY)) {
            PageAudio.awaitState(tab, "blocked", TIMEOUT_MS);
            assertTrue(tab.page().isVisible("#enable-sound"));
            tab.page().click("#enable-sound");
            PageAudio.awaitState(tab, "available", TIMEOUT_MS);
            assertTrue(tab.page().isHidden("#enable-sound"));
        }
    }
}
