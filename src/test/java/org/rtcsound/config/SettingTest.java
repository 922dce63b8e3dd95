package org.rtcsound.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rtcsound.call.CloseCode;
import org.rtcsound.call.Refusal.InvalidSetting;
import org.rtcsound.testing.MapConfig;

class SettingTest {

    private static MapConfig config(String key, String value) {
        return new MapConfig(Map.of(key, value));
    }

    @Test
    void pythonAndJsonBooleansAreBothUnderstood() {
        assertTrue(Setting.WEBRTC_ENABLE.parse("True"));
        assertTrue(Setting.WEBRTC_ENABLE.parse(" true "));
        assertFalse(Setting.WEBRTC_ENABLE.parse("False"));
        assertFalse(Setting.WEBRTC_ENABLE.parse("false"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "yes", "no", "TRUE", "on"})
    void anyOtherBooleanIsRefusedWithTheKeyAndValueNamed(String text) {
        InvalidSetting e = assertThrows(InvalidSetting.class,
                () -> Setting.DEMO_SIGN_IN.read(config("rtcsound.security.demo-sign-in", text)));
        assertEquals("setting 'rtcsound.security.demo-sign-in' expected True or False, got '" + text + "'", e.reason());
    }

    @Test
    void webrtcIsOnByDefaultAndTheDemoOff() {
        MapConfig empty = new MapConfig(Map.of());
        assertTrue(Setting.WEBRTC_ENABLE.read(empty));
        assertTrue(Setting.SOUND_POD_ENABLE.read(empty));
        assertFalse(Setting.DEMO_SIGN_IN.read(empty));
        assertEquals(8, Setting.SESSIONS_PER_USER.read(empty));
        assertEquals(65536, Setting.MAX_FRAME_BYTES.read(empty));
    }

    @Test
    void anEmptyValueIsNoValue() {
        assertTrue(Setting.WEBRTC_ENABLE.read(config("webrtc.enable", " ")));
        assertEquals(Optional.empty(), Setting.STUN_SERVER.optional(config("desktop.envlocal.STUN_SERVER", " ")));
    }

    @Test
    void integersAreStrictAndRefusedAsTheMediaSideWouldBe() {
        InvalidSetting e = assertThrows(InvalidSetting.class,
                () -> Setting.SESSIONS_PER_USER.read(config("rtcsound.limits.sessions-per-user", "abc")));
        assertEquals("setting 'rtcsound.limits.sessions-per-user' must be a whole number, got 'abc'", e.reason());
        assertEquals(CloseCode.MEDIA_FAILED, e.closeCode());
        assertThrows(InvalidSetting.class, () -> Setting.SESSIONS.read(config("rtcsound.limits.sessions", "2.5")));
        assertThrows(InvalidSetting.class, () -> Setting.SESSIONS.read(config("rtcsound.limits.sessions", "-1")));
        assertThrows(InvalidSetting.class, () -> Setting.PULSE_PORT.read(config("rtcsound.pulse.port", "70000")));
        assertEquals(3, Setting.SESSIONS.read(config("rtcsound.limits.sessions", " 3 ")));
    }

    @Test
    void aChoiceIsOneOfItsValuesAndAnyOtherIsRefusedWithThemNamed() {
        assertEquals("10", Setting.OPUS_FRAME_MS.read(new MapConfig(Map.of())));
        assertEquals("2.5", Setting.OPUS_FRAME_MS.read(config("rtcsound.opus.frame-ms", "2.5")));
        assertEquals("restricted-lowdelay", Setting.OPUS_AUDIO_TYPE.read(new MapConfig(Map.of())));
        InvalidSetting e = assertThrows(InvalidSetting.class,
                () -> Setting.OPUS_FRAME_MS.read(config("rtcsound.opus.frame-ms", "15")));
        assertEquals("setting 'rtcsound.opus.frame-ms' must be one of 2.5, 5, 10, 20, 40, 60, got '15'", e.reason());
        assertThrows(InvalidSetting.class, () -> Setting.OPUS_AUDIO_TYPE.read(config("rtcsound.opus.audio-type", "music")));
        assertThrows(InvalidSetting.class, () -> Setting.CAPTURE_LATENCY_MS.read(config("rtcsound.capture.latency-ms", "0")));
    }
}
