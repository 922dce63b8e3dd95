package org.rtcsound.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class SdpCheckTest {

    private static final String GOOD = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
            + "m=audio 9 UDP/TLS/RTP/SAVPF 96\r\na=ice-ufrag:abcd\r\na=fingerprint:sha-256 00:11\r\n";

    @Test
    void aBrowserLikeAnswerPasses() {
        assertNull(SdpCheck.problemWithAnswer(GOOD));
    }

    @Test
    void eachMissingPartIsNamed() {
        assertEquals("it must start with v=0", SdpCheck.problemWithAnswer("o=- 1 2 IN IP4 0.0.0.0\r\n"));
        assertEquals("it has no m=audio line",
                SdpCheck.problemWithAnswer(GOOD.replace("m=audio", "m=video")));
        assertEquals("it lacks a=fingerprint or a=ice-ufrag, which WebRTC needs",
                SdpCheck.problemWithAnswer(GOOD.replace("a=fingerprint", "a=fingerpaint")));
        assertEquals("line 'hello' is not of the form x=value", SdpCheck.problemWithAnswer(GOOD + "hello\r\n"));
    }
}
