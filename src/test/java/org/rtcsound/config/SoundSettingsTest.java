package org.rtcsound.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SoundSettingsTest {

    @Test
    void pythonAndJsonBooleansAreBothUnderstood() {
        assertTrue(SoundSettings.parseBoolean("True"));
        assertTrue(SoundSettings.parseBoolean(" true "));
        assertFalse(SoundSettings.parseBoolean("False"));
        assertFalse(SoundSettings.parseBoolean("false"));
    }

    @Test
    void anythingElseIsRefusedWithTheKeyNamed() {
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> SoundSettings.parseBoolean("1"));
        assertEquals("setting 'webrtc.enable' expected True or False, got '1'", e.getMessage());
    }
}
