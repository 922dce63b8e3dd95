package org.rtcsound.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.rtcsound.testing.Chromium;
import org.rtcsound.testing.PageAudio;
import org.rtcsound.testing.RelayRig;
import org.rtcsound.testing.Suite;
import org.rtcsound.testing.TestTokens;
import org.rtcsound.testing.Tones;

/**
 * Sound through a TURN relay, end to end: Chromium, told iceTransportPolicy "relay" by
 * rtcsound's rtc_configuration, hears the desktop's tone through a real coturn, and its
 * getStats shows a relay candidate in the selected pair.
 */
@ExtendWith(Suite.class)
class RelayIT {

    private static RelayRig rig;
    private final Suite.Parts parts;

    RelayIT(Suite.Parts parts) {
        this.parts = parts;
    }

    @BeforeAll
    static void start(Suite.Parts parts) {
        rig = RelayRig.start(parts);
    }

    @AfterAll
    static void stop() {
        if (rig != null) {
            rig.close();
        }
    }

    @Test
    void withRelayOnlyThePageHearsTheToneThroughCoturn() {
        Path tone = Tones.sine(parts.work().resolve("relay-tone.wav"), 523, 20, 0.5);
        Process paplay = parts.pulse().play(tone, "virtspk");
        try (Chromium.Tab tab = rig.chromium().open(rig.server().httpsUri("/#jwt_token=" + TestTokens.user("relay")))) {
            PageAudio.awaitState(tab, "available", 20_000);
            PageAudio.awaitPackets(tab, 5000);
            PageAudio.Heard heard = PageAudio.listen(tab, 1000);
            assertTrue(Math.abs(heard.peakHz() - 523) <= 2 * heard.binHz(), "heard " + heard);
            String pair = PageAudio.selectedPair(tab);
            assertTrue(pair.startsWith("relay/"), "the selected pair's local candidate is a relay: " + pair);
            // ... and rtcsound.js and the page say so
            Object connection = tab.evaluate("() => window.rtcsound.connection()");
            assertEquals("relay", ((Map<?, ?>) connection).get("path"), "connection(): " + connection);
            assertTrue(PageAudio.waitFor(tab, "() => document.getElementById('path').textContent.startsWith('relay')",
                    null, 5000), "the page shows the path " + tab.textContent("#path"));
            System.out.println("relay: the page shows " + tab.textContent("#path") + ", round trip "
                    + tab.textContent("#round-trip") + "; connection() " + connection);
        } finally {
            paplay.destroy();
        }
    }
}
