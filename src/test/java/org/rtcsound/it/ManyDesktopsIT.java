package org.rtcsound.it;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.rtcsound.testing.Chromium;
import org.rtcsound.testing.ChromiumPerClass;
import org.rtcsound.testing.NetworkNamespace;
import org.rtcsound.testing.PageAudio;
import org.rtcsound.testing.Processes;
import org.rtcsound.testing.PulseAudioDaemon;
import org.rtcsound.testing.Suite;
import org.rtcsound.testing.Tones;

/**
 * One rtcsound serves several desktops, each with a PulseAudio of its own reached over TCP
 * and admitting only rtcsound (auth-ip-acl, no cookie): every user hears only their own
 * desktop, two tabs of one user both hear it, a user without a desktop is told so and the
 * page connects by itself once the desktop is there.
 */
@ExtendWith({Suite.class, ChromiumPerClass.class})
class ManyDesktopsIT {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static PulseAudioDaemon desktopA;
    private static PulseAudioDaemon desktopB;

    private final Suite.Parts parts;
    private final Chromium chromium;

    ManyDesktopsIT(Suite.Parts parts, Chromium chromium) {
        this.parts = parts;
        this.chromium = chromium;
    }

    @BeforeAll
    static void startDesktops() {
        desktopA = PulseAudioDaemon.startWithTcp(Suite.work().resolve("desktop-a"), 14713, "127.0.0.1");
        desktopB = PulseAudioDaemon.startWithTcp(Suite.work().resolve("desktop-b"), 14714, "127.0.0.1");
    }

    @AfterAll
    static void stopDesktops() {
        if (desktopA != null) {
            desktopA.close();
        }
        if (desktopB != null) {
            desktopB.close();
        }
    }

    @AfterEach
    void restore() {
        Suite.restoreOdConfig();
        parts.liberty().awaitConfig(c -> !c.getJsonObject("values").containsKey("rtcsound.desktops"), WAIT);
    }

    /** alice's desktop named in full, bob's as a bare host that gets rtcsound.pulse.port. */
    private void mapDesktops(String extra) {
        Suite.editOdConfig(sample -> sample + "\nrtcsound.pulse.port : 14714\n"
                + "rtcsound.desktops : { 'alice': 'tcp:127.0.0.1:14713', 'bob': '127.0.0.1'" + extra + " }\n");
        parts.liberty().awaitConfig(c -> c.getJsonObject("values").containsKey("rtcsound.desktops")
                && c.getJsonObject("values").getJsonObject("rtcsound.desktops").size() == (extra.isEmpty() ? 2 : 3), WAIT);
    }

    @Test
    void eachUserHearsOnlyTheirOwnDesktopAndTwoTabsOfOneUserBothHearIt() {
        mapDesktops("");
        Process a = desktopA.play(Tones.sine(parts.work().resolve("desktop-a.wav"), 600, 30, 0.5), "virtspk");
        Process b = desktopB.play(Tones.sine(parts.work().resolve("desktop-b.wav"), 1000, 30, 0.5), "virtspk");
        try (Chromium.Tab alice = chromium.open(parts.liberty().httpsUri("/?uid=alice"));
                Chromium.Tab aliceAgain = chromium.open(parts.liberty().httpsUri("/?uid=alice"));
                Chromium.Tab bob = chromium.open(parts.liberty().httpsUri("/?uid=bob"))) {
            PageAudio.assertHears(alice, 600);
            PageAudio.assertHears(aliceAgain, 600);
            PageAudio.assertHears(bob, 1000);
        } finally {
            a.destroy();
            b.destroy();
        }
    }

    @Test
    void aUserWithoutADesktopIsToldAndThePageConnectsOnceTheDesktopRuns() {
        mapDesktops("");
        Process a = desktopA.play(Tones.sine(parts.work().resolve("desktop-a.wav"), 600, 30, 0.5), "virtspk");
        try (Chromium.Tab carol = chromium.open(parts.liberty().httpsUri("/?uid=carol"))) {
            PageAudio.awaitState(carol, "error", 20_000);
            assertTrue(carol.page().textContent("#status").equals("no desktop is running for user 'carol'"),
                    carol.page().textContent("#status"));
            mapDesktops(", 'carol': 'tcp:127.0.0.1:14713'");
            PageAudio.assertHears(carol, 600);
        } finally {
            a.destroy();
        }
    }

    @Test
    void aDesktopsPulseAudioAdmitsRtcsoundAndNoOneElse() {
        desktopA.pactl("info"); // its own unix socket
        Processes.run(List.of("pactl", "-s", "tcp:127.0.0.1:14713", "info"), Map.of(), 10); // where rtcsound runs
        try (NetworkNamespace elsewhere = NetworkNamespace.create("rtcs-acl", "10.254.1.1", "10.254.1.2")) {
            IllegalStateException refused = assertThrows(IllegalStateException.class, () -> Processes.run(
                    List.of("ip", "netns", "exec", "rtcs-acl", "pactl", "-s", "tcp:10.254.1.1:14713", "info"),
                    Map.of(), 10));
            assertTrue(refused.getMessage().contains("Access denied"), refused.getMessage());
        }
    }
}
