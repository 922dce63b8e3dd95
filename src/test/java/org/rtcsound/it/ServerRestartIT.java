package org.rtcsound.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.rtcsound.testing.Chromium;
import org.rtcsound.testing.ChromiumPerClass;
import org.rtcsound.testing.PageAudio;
import org.rtcsound.testing.Suite;
import org.rtcsound.testing.TestTokens;
import org.rtcsound.testing.Tones;

/**
 * A server that stops tells its pages to call again (close 1012) and releases their calls;
 * the pages call again often while it is away, and hear the desktop once it is back, without
 * a reload. (The suite's own server is restarted: later tests find it as before.)
 */
@ExtendWith({Suite.class, ChromiumPerClass.class})
class ServerRestartIT {

    private final Suite.Parts parts;
    private final Chromium chromium;

    ServerRestartIT(Suite.Parts parts, Chromium chromium) {
        this.parts = parts;
        this.chromium = chromium;
    }

    @Test
    void aRestartedServerIsHeardAgainWithoutAReload() {
        Process tone = parts.pulse().play(Tones.sine(parts.work().resolve("restart.wav"), 750, 90, 0.5), "virtspk");
        // A token signed with a key the server keeps (the demo sign-in's key pair is made anew
        // at every start, so a demo token would not outlive the restart).
        try (Chromium.Tab tab = chromium.open(parts.liberty().httpsUri("/#jwt_token=" + TestTokens.user("alice")))) {
            PageAudio.assertHears(tab, 750);
            parts.liberty().restart();
            PageAudio.assertHears(tab, 750);
            // (Playwright hands console lines over during calls into the page: read them after one.)
            String console = String.join("\n", tab.console());
            assertTrue(console.contains("Signalling closed (1012"), "the stopping server said so: " + console);
            // Only the new server's call connects: the stopping one answers new calls with 1012 as
            // well, so that no page settles on a server about to go (and goes silent with it).
            Object connectedAfterStop = tab.evaluate("""
                    () => {
                      const steps = window.rtcsound.timeline;
                      const told = steps.findIndex((s) => s.step === 'closed 1012');
                      return new Set(steps.slice(told).filter((s) => s.step === 'connection connected')
                          .map((s) => s.call)).size;
                    }""");
            assertEquals(1, ((Number) connectedAfterStop).intValue(), "calls connected after the server said it "
                    + "stops (one: the new server's); the page's steps:\n" + tab.evaluate("() => JSON.stringify(window.rtcsound.timeline)"));
            assertTrue(tab.page().evaluate("document.querySelectorAll('audio').length").toString().equals("1"),
                    "the same page, not a reload");
        } finally {
            tone.destroy();
        }
    }
}
