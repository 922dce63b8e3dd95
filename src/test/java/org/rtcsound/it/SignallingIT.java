package org.rtcsound.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.time.Duration;

import jakarta.json.Json;
import jakarta.json.JsonObject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.rtcsound.testing.SignallingClient;
import org.rtcsound.testing.Suite;

/**
 * The signalling state machine against the real server, without a browser: each case
 * asserts the reply, and that nothing (session, pipeline) is left behind afterwards.
 * Every row of the protocol is the call core's unit test ({@code call.SignallingSessionTest});
 * kept here are the cases that mean something only with Liberty (frames, closes 1003 and
 * 1009, disconnects) or GStreamer (a real offer, listeners counted).
 */
@ExtendWith(Suite.class)
class SignallingIT {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final Suite.Parts parts;

    SignallingIT(Suite.Parts parts) {
        this.parts = parts;
    }

    /** A connection with alice's token; she says HELLO alice. */
    private SignallingClient connect() {
        return parts.liberty().signalling("alice");
    }

    /** Threads once GStreamer's lazily started ones exist; Liberty's pool may add a few. */
    private static int baselineThreads = -1;
    private static final int THREAD_SLACK = 12;

    @BeforeEach
    void baseline() {
        if (baselineThreads < 0) {
            try (SignallingClient warmUp = connect()) {
                warmUp.send("HELLO alice");
                warmUp.nextMatching(f -> f.startsWith("{\"sdp\""), WAIT);
            }
            baselineThreads = parts.liberty().awaitIdle(Duration.ofSeconds(15)).getInt("nativeThreads");
        }
        nothingIsLeftBehind();
    }

    @AfterEach
    void nothingIsLeftBehind() {
        JsonObject status = parts.liberty().awaitIdle(Duration.ofSeconds(15));
        assertEquals(0, status.getInt("sessions"), "sessions left: " + status);
        assertEquals(0, status.getInt("listeners"), "listeners left: " + status);
        assertTrue(status.getInt("nativeThreads") <= baselineThreads + THREAD_SLACK,
                "threads left: " + status + ", baseline " + baselineThreads);
    }

    static JsonObject json(String frame) {
        return Json.createReader(new StringReader(frame)).readObject();
    }

    @Test
    void helloIsAnsweredWithHelloThenAnOfferWithOneSendrecvOpusAudioLine() {
        try (SignallingClient client = connect()) {
            client.send("HELLO alice");
            assertEquals("HELLO", client.next(WAIT));
            JsonObject sdp = json(client.next(WAIT)).getJsonObject("sdp");
            assertEquals("offer", sdp.getString("type"));
            String offer = sdp.getString("sdp");
            assertEquals(1, offer.split("\nm=", -1).length - 1, "one m-line: " + offer);
            assertTrue(offer.contains("m=audio "), offer);
            assertTrue(offer.contains("a=sendrecv"), offer);
            assertTrue(offer.contains("a=rtpmap:96 OPUS/48000/2"), offer);
            assertTrue(offer.contains("a=mid:audio0"), offer);
            JsonObject ice = json(client.nextMatching(f -> f.startsWith("{\"ice\""), WAIT)).getJsonObject("ice");
            assertTrue(ice.getString("candidate").startsWith("candidate:"), ice.toString());
            assertEquals(0, ice.getInt("sdpMLineIndex"));
            assertEquals(1, parts.liberty().status().getInt("listeners"));
        }
    }

    @Test
    void aSecondHelloOnTheSameConnectionIsAnErrorAndTheCallGoesOn() {
        try (SignallingClient client = connect()) {
            client.send("HELLO alice");
            assertEquals("HELLO", client.next(WAIT));
            client.nextMatching(f -> f.startsWith("{\"sdp\""), WAIT);
            client.send("HELLO alice");
            assertEquals("ERROR HELLO was already received on this connection",
                    client.nextMatching(f -> f.startsWith("ERROR"), WAIT));
            assertEquals(1, parts.liberty().status().getInt("listeners"));
        }
    }

    @Test
    void twoTabsOfTheSameUserEachGetACallOfTheirOwn() {
        try (SignallingClient first = connect(); SignallingClient second = connect()) {
            first.send("HELLO alice");
            second.send("HELLO alice");
            assertEquals("HELLO", first.next(WAIT));
            assertEquals("HELLO", second.next(WAIT));
            first.nextMatching(f -> f.startsWith("{\"sdp\""), WAIT);
            second.nextMatching(f -> f.startsWith("{\"sdp\""), WAIT);
            assertEquals(2, parts.liberty().status().getInt("listeners"));
        }
    }

    @Test
    void anInvalidSdpAnswerIsAnErrorAndTheOfferStands() {
        try (SignallingClient client = connect()) {
            client.send("HELLO alice");
            client.nextMatching(f -> f.startsWith("{\"sdp\""), WAIT);
            client.send("{\"sdp\":{\"type\":\"answer\",\"sdp\":\"hello world\"}}");
            assertEquals("ERROR invalid SDP: it must start with v=0",
                    client.nextMatching(f -> f.startsWith("ERROR"), WAIT));
            client.send("{\"sdp\":{\"type\":\"answer\",\"sdp\":\"v=0\\r\\ns=-\\r\\n\"}}");
            assertEquals("ERROR invalid SDP: it has no m=audio line",
                    client.nextMatching(f -> f.startsWith("ERROR"), WAIT));
            assertEquals(1, parts.liberty().status().getInt("listeners"));
        }
    }

    @Test
    void aCandidateBeforeTheAnswerIsAnError() {
        try (SignallingClient client = connect()) {
            client.send("HELLO alice");
            client.nextMatching(f -> f.startsWith("{\"sdp\""), WAIT);
            client.send("{\"ice\":{\"candidate\":\"candidate:1 1 UDP 1 127.0.0.1 9 typ host\",\"sdpMLineIndex\":0}}");
            assertEquals("ERROR a candidate can only follow the answer",
                    client.nextMatching(f -> f.startsWith("ERROR"), WAIT));
            client.send("{\"ice\":{\"candidate\":\"x\"}}");
            assertTrue(client.nextMatching(f -> f.startsWith("ERROR"), WAIT).startsWith("ERROR invalid ice message"));
        }
    }

    @Test
    void anOversizeFrameClosesTheSocketWith1009AndOthersDoNotNotice() {
        try (SignallingClient bystander = parts.liberty().signalling("bystander");
                SignallingClient client = parts.liberty().signalling("x".repeat(100))) {
            bystander.send("HELLO bystander");
            bystander.nextMatching(f -> f.startsWith("{\"sdp\""), WAIT);
            client.send("HELLO " + "x".repeat(100)).send("{\"ice\":\"" + "x".repeat(70_000) + "\"}");
            assertEquals(1009, client.awaitClose(WAIT).code());
            bystander.send("HELLO again");
            assertEquals("ERROR HELLO was already received on this connection",
                    bystander.nextMatching(f -> f.startsWith("ERROR"), WAIT));
            assertTrue(!bystander.isClosed());
        }
    }

    @Test
    void aBinaryFrameClosesTheSocketWith1003() {
        try (SignallingClient client = connect()) {
            client.sendBinary(new byte[] {1, 2, 3});
            assertEquals(1003, client.awaitClose(WAIT).code());
        }
    }

    @Test
    void anAbruptDisconnectReleasesThePipeline() {
        SignallingClient client = connect();
        client.send("HELLO alice");
        client.nextMatching(f -> f.startsWith("{\"sdp\""), WAIT);
        assertEquals(1, parts.liberty().status().getInt("listeners"));
        client.abort();
        JsonObject status = parts.liberty().awaitIdle(Duration.ofSeconds(15));
        assertEquals(0, status.getInt("listeners"), status.toString());
    }
}
