package org.rtcsound.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class InboundMessageTest {

    private static final String ANSWER_SDP = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
            + "m=audio 9 UDP/TLS/RTP/SAVPF 96\r\na=ice-ufrag:abcd\r\na=ice-pwd:efgh\r\n"
            + "a=fingerprint:sha-256 00:11\r\na=recvonly\r\n";

    private static String reason(String frame) {
        return assertInstanceOf(InboundMessage.Invalid.class, InboundMessage.parse(frame)).reason();
    }

    @Test
    void helloCarriesTheUid() {
        assertEquals(new InboundMessage.Hello("alice@example"), InboundMessage.parse("HELLO alice@example"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"HELLO", "HELLO ", "HELLO two words", "HELLO <script>"})
    void aHelloWithoutAUsableUidIsInvalid(String frame) {
        assertTrue(reason(frame).startsWith("HELLO needs a uid"));
    }

    @Test
    void healedNamesWhyThePageCalledAgain() {
        assertEquals(new InboundMessage.Healed(Heal.PAGE_STALLED), InboundMessage.parse("HEALED stalled"));
        assertEquals(new InboundMessage.Healed(Heal.PAGE_NOT_CONNECTED), InboundMessage.parse("HEALED not-connected"));
        assertEquals("HEALED needs a reason: HEALED stalled or HEALED not-connected", reason("HEALED bored"));
        assertEquals("HEALED needs a reason: HEALED stalled or HEALED not-connected", reason("HEALED"));
    }

    @Test
    void aUidLongerThan128CharactersIsInvalid() {
        assertTrue(reason("HELLO " + "u".repeat(129)).startsWith("HELLO needs a uid"));
        assertInstanceOf(InboundMessage.Hello.class, InboundMessage.parse("HELLO " + "u".repeat(128)));
    }

    @Test
    void anAnswerIsParsedWithItsSdp() {
        String frame = "{\"sdp\":{\"type\":\"answer\",\"sdp\":\"" + ANSWER_SDP.replace("\r\n", "\\r\\n") + "\"}}";
        assertEquals(new InboundMessage.Answer(ANSWER_SDP), InboundMessage.parse(frame));
    }

    @Test
    void anOfferIsRefused() {
        assertEquals("rtcsound makes the offer; the browser sends only an answer",
                reason("{\"sdp\":{\"type\":\"offer\",\"sdp\":\"v=0\"}}"));
    }

    @Test
    void candidatesAreParsedAndAnEmptyOneEndsGathering() {
        assertEquals(new InboundMessage.RemoteCandidate("candidate:1 1 udp 1 10.0.0.1 9 typ host", 0),
                InboundMessage.parse("{\"ice\":{\"candidate\":\"candidate:1 1 udp 1 10.0.0.1 9 typ host\","
                        + "\"sdpMLineIndex\":0,\"sdpMid\":\"audio0\"}}"));
        InboundMessage end = InboundMessage.parse("{\"ice\":{\"candidate\":\"\",\"sdpMLineIndex\":0}}");
        assertTrue(assertInstanceOf(InboundMessage.RemoteCandidate.class, end).endOfCandidates());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"ice\":{\"candidate\":\"candidate:1\"}}",
        "{\"ice\":{\"candidate\":\"candidate:1\",\"sdpMLineIndex\":-1}}",
        "{\"ice\":{\"candidate\":\"candidate:1\",\"sdpMLineIndex\":0.5}}",
        "{\"ice\":{\"candidate\":7,\"sdpMLineIndex\":0}}",
        "{\"ice\":[]}"})
    void malformedCandidatesAreInvalid(String frame) {
        assertTrue(reason(frame).startsWith("invalid ice message"), frame);
    }

    @Test
    void aCandidateLineOfAnotherKindIsInvalid() {
        assertEquals("invalid ice candidate: it must start with 'candidate:'",
                reason("{\"ice\":{\"candidate\":\"rm -rf /\",\"sdpMLineIndex\":0}}"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{", "{\"sdp\":", "{'sdp': 1}", "{\"a\":1}}"})
    void brokenJsonIsInvalid(String frame) {
        assertTrue(reason(frame).startsWith("invalid JSON"), frame);
    }

    /** Found by SignallingFuzzIT: the JSON parser's depth limit threw past the protocol. */
    @Test
    void deeplyNestedJsonIsInvalidNotAnException() {
        assertTrue(reason("[".repeat(20_000)).startsWith("invalid JSON"));
        assertTrue(reason("{\"sdp\":" + "[".repeat(5000) + "]".repeat(5000) + "}").startsWith("invalid JSON"));
    }

    @Test
    void theRelayCommandsOfTheOriginalProtocolAreNotSupported() {
        assertTrue(reason("SESSION bob").startsWith("SESSION is not supported"));
        assertTrue(reason("ROOM 1").startsWith("ROOM is not supported"));
        assertTrue(reason("ROOM_PEER_MSG 1 hi").startsWith("ROOM_PEER_MSG is not supported"));
        assertTrue(reason("hello alice").startsWith("unknown message"));
        assertTrue(reason("").startsWith("unknown message"));
    }
}
