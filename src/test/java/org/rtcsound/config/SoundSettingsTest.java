package org.rtcsound.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SoundSettingsTest {

    @Test
    void pythonAndJsonBooleansAreBothUnderstood() {
        assertTrue(SoundSettings.parseBoolean("webrtc.enable", "True"));
        assertTrue(SoundSettings.parseBoolean("webrtc.enable", " true "));
        assertFalse(SoundSettings.parseBoolean("webrtc.enable", "False"));
        assertFalse(SoundSettings.parseBoolean("webrtc.enable", "false"));
    }

    @Test
    void anythingElseIsRefusedWithTheKeyNamed() {
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> SoundSettings.parseBoolean("webrtc.enable", "1"));
        assertEquals("setting 'webrtc.enable' expected True or False, got '1'", e.getMessage());
    }
}
