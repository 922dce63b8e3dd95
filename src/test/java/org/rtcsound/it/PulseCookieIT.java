package org.rtcsound.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.rtcsound.testing.Chromium;
import org.rtcsound.testing.ChromiumPerClass;
import org.rtcsound.testing.PageAudio;
import org.rtcsound.testing.PulseAudioDaemon;
import org.rtcsound.testing.SignallingClient;
import org.rtcsound.testing.Suite;
import org.rtcsound.testing.Tones;

/**
 * Stock abcdesktop desktops: their PulseAudio started as oc.pulseaudio 3.2 starts it (TCP,
 * the pod's cookie only, no anonymous access), nothing changed in them. rtcsound reaches
 * each with that desktop's own cookie, two desktops with two cookies at once in one
 * process; a wrong or missing cookie is a clear error naming the desktop, and no cookie
 * shows in a log or the admin view.
 */
@ExtendWith({Suite.class, ChromiumPerClass.class})
class PulseCookieIT {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String CARLA_COOKIE = "0123456789abcdef0123456789abcdef";
    private static final String DAN_COOKIE = "fedcba9876543210fedcba9876543210";
    private static final String WRONG_COOKIE = "00000000000000000000000000000000";
    private static PulseAudioDaemon carlasDesktop;
    private static PulseAudioDaemon dansDesktop;

    private final Suite.Parts parts;
    private final Chromium chromium;

    PulseCookieIT(Suite.Parts parts, Chromium chromium) {
        this.parts = parts;
        this.chromium = chromium;
    }

    @BeforeAll
    static void startDesktops() {
        carlasDesktop = PulseAudioDaemon.startAsAbcdesktop(Suite.work().resolve("desktop-carla"), "127.0.0.1", 14716,
                CARLA_COOKIE);
        dansDesktop = PulseAudioDaemon.startAsAbcdesktop(Suite.work().resolve("desktop-dan"), "127.0.0.1", 14717,
                DAN_COOKIE);
    }

    @AfterAll
    static void stopDesktops() {
        if (carlasDesktop != null) {
            carlasDesktop.close();
        }
        if (dansDesktop != null) {
            dansDesktop.close();
        }
    }

    @AfterEach
    void restore() {
        Suite.restoreOdConfig();
        parts.liberty().awaitConfig(c -> !c.getJsonObject("values").containsKey("rtcsound.desktops"), WAIT);
    }

    private void mapDesktops() {
        Suite.editOdConfig(sample -> sample + "\nrtcsound.desktops : {\n"
                + "    'carla': { 'server': 'tcp:127.0.0.1:14716', 'cookie': '" + CARLA_COOKIE + "' },\n"
                + "    'dan': { 'server': 'tcp:127.0.0.1:14717', 'cookie': '" + DAN_COOKIE + "' },\n"
                + "    'mallory': { 'server': 'tcp:127.0.0.1:14716', 'cookie': '" + WRONG_COOKIE + "' },\n"
                + "    'nina': 'tcp:127.0.0.1:14716' }\n");
        parts.liberty().awaitConfig(c -> c.getJsonObject("values").containsKey("rtcsound.desktops"), WAIT);
    }

    @Test
    void twoStockDesktopsAreHeardAtOnceEachWithItsOwnCookie() {
        mapDesktops();
        Process carlaTone = carlasDesktop.play(Tones.sine(parts.work().resolve("carla.wav"), 600, 30, 0.5), "virtspk");
        Process danTone = dansDesktop.play(Tones.sine(parts.work().resolve("dan.wav"), 1000, 30, 0.5), "virtspk");
        try (Chromium.Tab carla = chromium.open(parts.liberty().httpsUri("/?uid=carla"));
                Chromium.Tab dan = chromium.open(parts.liberty().httpsUri("/?uid=dan"))) {
            PageAudio.assertHears(carla, 600);
            PageAudio.assertHears(dan, 1000);
        } finally {
            carlaTone.destroy();
            danTone.destroy();
        }
        assertNoCookieShown();
    }

    @Test
    void aWrongOrMissingCookieIsAClearErrorNamingTheDesktopAndLeavesNothingOpen() {
        mapDesktops();
        assertRefused("mallory", "the cookie rtcsound has for this desktop is not the one it was started with");
        assertRefused("nina", "it wants a cookie");
        parts.liberty().awaitIdle(WAIT);
        assertEquals(0, parts.liberty().status().getInt("listeners"));
        assertFalse(carlasDesktop.pactl("list", "source-outputs").contains("rtcsound"),
                "a refused call left a capture in the desktop's PulseAudio");
        assertNoCookieShown();
    }

    private void assertRefused(String user, String why) {
        try (SignallingClient client = parts.liberty().signalling(user)) {
            client.send("HELLO " + user);
            String error = client.nextMatching(m -> m.startsWith("ERROR"), WAIT);
            assertTrue(error.contains("PulseAudio server tcp:127.0.0.1:14716") && error.contains("access denied")
                    && error.contains(why), error);
            assertEquals(1011, client.awaitClose(WAIT).code(), "close code");
        }
    }

    /** Neither a log file of the server nor the admin views hold a cookie. */
    private void assertNoCookieShown() {
        String views = parts.liberty().get("/API/admin/config").body() + parts.liberty().get("/API/admin/status").body()
                + parts.liberty().get("/API/admin/desktops").body();
        try (Stream<Path> logs = Files.walk(parts.liberty().logDirectory())) {
            StringBuilder all = new StringBuilder(views);
            for (Path log : logs.filter(Files::isRegularFile).toList()) {
                all.append(Files.readString(log, java.nio.charset.StandardCharsets.ISO_8859_1));
            }
            for (String cookie : new String[] {CARLA_COOKIE, DAN_COOKIE, WRONG_COOKIE}) {
                assertFalse(all.toString().contains(cookie), "a cookie shows in a log or an admin view");
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
