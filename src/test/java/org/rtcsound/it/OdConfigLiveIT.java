package org.rtcsound.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.nio.file.Path;
import java.time.Duration;

import jakarta.json.Json;
import jakarta.json.JsonObject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.rtcsound.testing.Chromium;
import org.rtcsound.testing.ChromiumPerClass;
import org.rtcsound.testing.PageAudio;
import org.rtcsound.testing.SignallingClient;
import org.rtcsound.testing.Sleep;
import org.rtcsound.testing.Suite;
import org.rtcsound.testing.Tones;

/**
 * od.config is applied live: the running server (started with RTCSOUND_ODCONFIG_FILE)
 * takes a new version within 2 s without a restart, refuses a broken one and keeps the
 * last good one, and a call already playing goes on.
 */
@ExtendWith({Suite.class, ChromiumPerClass.class})
class OdConfigLiveIT {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String SOUND_OFF = "ERROR sound is turned off on this server (webrtc.enable is False)";

    private final Suite.Parts parts;
    private final Chromium chromium;

    OdConfigLiveIT(Suite.Parts parts, Chromium chromium) {
        this.parts = parts;
        this.chromium = chromium;
    }

    @AfterEach
    void restore() {
        Suite.restoreOdConfig();
        parts.liberty().awaitConfig(c -> c.getJsonObject("values").getBoolean("webrtc.enable", false) && c.isNull("lastRefusal"), WAIT);
    }

    private static void replaceOdConfig(String edit) {
        Suite.editOdConfig(sample -> sample.replace("webrtc.enable : True\n", edit));
    }

    private boolean keyInfoWebrtcEnable() {
        String body = parts.liberty().postJson("/API/core/getkeyinfo", "{\"provider\":\"webrtc.enable\"}").body();
        return Json.createReader(new StringReader(body)).readObject().getBoolean("id");
    }

    private String hello() {
        try (SignallingClient client = parts.liberty().signalling("live")) {
            client.send("HELLO live");
            return client.next(WAIT);
        }
    }

    @Test
    void aChangeIsInForceWithinTwoSecondsWithoutARestart() {
        assertTrue(keyInfoWebrtcEnable());
        long started = System.nanoTime();
        replaceOdConfig("webrtc.enable : False\n");
        while (keyInfoWebrtcEnable()) {
            assertTrue(System.nanoTime() - started < 5_000_000_000L, "webrtc.enable still True after 5 s");
            Sleep.millis(20);
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        System.out.printf("od.config change in force after %d ms%n", millis);
        assertTrue(millis <= 2000, "in force after " + millis + " ms");
        assertEquals(SOUND_OFF, hello());
    }

    @Test
    void aBrokenVersionIsRefusedWithLineAndColumnAndTheLastGoodStaysInForce() {
        replaceOdConfig("webrtc.enable : False\n");
        parts.liberty().awaitConfig(c -> !c.getJsonObject("values").getBoolean("webrtc.enable"), WAIT);
        String goodVersion = parts.liberty().config().getString("sha256");

        replaceOdConfig("webrtc.enable : false\n");
        parts.liberty().awaitConfig(c -> !c.isNull("lastRefusal"), WAIT);
        JsonObject refused = parts.liberty().config();
        assertEquals(Suite.odConfig() + ":7:17: in the value of 'webrtc.enable': 'false' is not a Python literal: "
                + "write True, False or None", refused.getJsonObject("lastRefusal").getString("message"));
        assertEquals(goodVersion, refused.getString("sha256"), "the last good version stays in force");
        assertFalse(keyInfoWebrtcEnable());
        assertEquals(SOUND_OFF, hello());
        assertTrue(parts.liberty().messagesLog().contains("od.config refused, the last good version stays in force"));
    }

    @Test
    void theAdminViewShowsTheVersionInForceWithSecretsRedacted() {
        replaceOdConfig("webrtc.enable : True\nwebrtc.coturn : { 'coturn_static_auth_secret': 'S3cr3t-od-config',\n"
                + "    'ttl': 3600, 'protocol': 'turn', 'url': 'turn.example:3478' }\n");
        parts.liberty().awaitConfig(c -> c.getJsonObject("values").containsKey("webrtc.coturn"), WAIT);
        String body = parts.liberty().get("/API/admin/config").body();
        JsonObject config = parts.liberty().config();
        assertEquals(Suite.odConfig().toString(), config.getString("source"));
        JsonObject coturn = config.getJsonObject("values").getJsonObject("webrtc.coturn");
        assertEquals("*** redacted ***", coturn.getString("coturn_static_auth_secret"));
        assertEquals(3600, coturn.getInt("ttl"));
        assertFalse(body.contains("S3cr3t-od-config"), body);
    }

    @Test
    void aMissingPulseAudioDeviceIsAClearErrorNamingItAndNothingIsLeftBehind() {
        replaceOdConfig("webrtc.enable : True\nrtcsound.pulse.speaker-sink : 'nosuchsink'\n");
        parts.liberty().awaitConfig(c -> c.getJsonObject("values").containsKey("rtcsound.pulse.speaker-sink"), WAIT);
        try (SignallingClient client = parts.liberty().signalling("nodevice")) {
            client.send("HELLO nodevice");
            String error = client.nextMatching(f -> f.startsWith("ERROR"), WAIT);
            assertTrue(error.startsWith("ERROR cannot capture the desktop's sound from device 'nosuchsink.monitor' on "
                    + "PulseAudio server " + parts.pulse().server()), error);
            assertTrue(error.endsWith("the desktop's PulseAudio must have the sink 'nosuchsink'"), error);
            assertEquals(1011, client.awaitClose(WAIT).code());
        }
        assertEquals(0, parts.liberty().awaitIdle(WAIT).getInt("listeners"));
        assertFalse(parts.pulse().pactl("list", "short", "modules").contains("nosuchsink"),
                "rtcsound never loads modules into the desktop's PulseAudio");
    }

    @Test
    void desktopPodsSoundEntryTurnsSoundOffToo() {
        Suite.editOdConfig(sample -> sample.replace("'enable': True,", "'enable': False,"));
        parts.liberty().awaitConfig(c -> !c.getJsonObject("values").getJsonObject("desktop.pod").getJsonObject("sound")
                .getBoolean("enable"), WAIT);
        assertEquals("ERROR sound is turned off on this server (desktop.pod's 'sound' entry has 'enable': False)",
                hello());
    }

    @Test
    void aPlayingCallGoesOnWhenSoundIsTurnedOffAndANewPageIsToldWhy() {
        Path tone = Tones.sine(parts.work().resolve("live-tone.wav"), 880, 30, 0.5);
        Process paplay = parts.pulse().play(tone, "virtspk");
        try (Chromium.Tab playing = chromium.open(parts.liberty().httpsUri("/?uid=live"))) {
            PageAudio.awaitState(playing, "available", 20_000);
            PageAudio.awaitPackets(playing, 5000);
            replaceOdConfig("webrtc.enable : False\n");
            parts.liberty().awaitConfig(c -> !c.getJsonObject("values").getBoolean("webrtc.enable"), WAIT);

            PageAudio.Heard heard = PageAudio.listen(playing, 1000);
            assertTrue(Math.abs(heard.peakHz() - 880) <= 2 * heard.binHz(), "the playing call goes on: " + heard);
            assertEquals("available", playing.page().evaluate("window.rtcsound.state"));

            try (Chromium.Tab late = chromium.open(parts.liberty().httpsUri("/?uid=late"))) {
                PageAudio.awaitState(late, "error", 20_000);
                assertEquals("sound is turned off on this server (webrtc.enable is False)",
                        late.page().textContent("#status"));
            }
        } finally {
            paplay.destroy();
        }
    }
}
