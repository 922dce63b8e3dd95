package org.rtcsound.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** Readiness reads this: is any od.config of the configured source in force? */
class OdConfigStoreTest {

    @Test
    void aSourceWhoseEveryVersionWasRefusedIsNotInForceUntilAGoodOneComes() {
        String source = "configmap test/abcdesktop-config od.config";
        assertFalse(OdConfigStore.offer(source, "[global]\nwebrtc.enable : true\n".getBytes(StandardCharsets.UTF_8)));
        String reason = OdConfigStore.notInForceReason();
        assertTrue(reason != null && reason.startsWith("no od.config from " + source + " is in force: " + source
                + ":2:17: in the value of 'webrtc.enable': 'true' is not a Python literal"), reason);

        assertTrue(OdConfigStore.offer(source, "[global]\nwebrtc.enable : True\n".getBytes(StandardCharsets.UTF_8)));
        assertNull(OdConfigStore.notInForceReason());

        // a broken version after a good one: the good one stays in force, nothing to report
        assertFalse(OdConfigStore.offer(source, "[global]\nwebrtc.enable : yes\n".getBytes(StandardCharsets.UTF_8)));
        assertNull(OdConfigStore.notInForceReason());
    }
}
