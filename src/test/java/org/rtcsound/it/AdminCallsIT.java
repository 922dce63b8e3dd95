package org.rtcsound.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import jakarta.json.Json;
import jakarta.json.JsonObject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.rtcsound.testing.Chromium;
import org.rtcsound.testing.ChromiumPerClass;
import org.rtcsound.testing.PageAudio;
import org.rtcsound.testing.SignallingClient;
import org.rtcsound.testing.Sleep;
import org.rtcsound.testing.Suite;
import org.rtcsound.testing.TestTokens;
import org.rtcsound.testing.Tones;

/**
 * An operator sees every call ({@code GET /API/admin/calls}) and ends one
 * ({@code DELETE /API/admin/calls/{id}}): its media is released at once, the browser is
 * told with close code 4000, and the page says so instead of calling again.
 */
@ExtendWith({Suite.class, ChromiumPerClass.class})
class AdminCallsIT {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final Suite.Parts parts;
    private final Chromium chromium;

    AdminCallsIT(Suite.Parts parts, Chromium chromium) {
        this.parts = parts;
        this.chromium = chromium;
    }

    private List<JsonObject> calls() {
        HttpResponse<String> response = parts.liberty().get("/API/admin/calls");
        assertEquals(200, response.statusCode(), response.body());
        return Json.createReader(new StringReader(response.body())).readArray().getValuesAs(JsonObject.class);
    }

    private HttpResponse<String> end(String id, String token) {
        return parts.liberty().send(HttpRequest.newBuilder(parts.liberty().httpUri("/API/admin/calls/" + id))
                .header("Authorization", "Bearer " + token).DELETE().build());
    }

    @Test
    void anOperatorSeesACallAndEndsItAndItsMediaIsReleased() {
        try (SignallingClient client = parts.liberty().signalling("alice")) {
            client.send("HELLO alice");
            client.nextMatching(frame -> frame.startsWith("{\"sdp\""), WAIT);
            List<JsonObject> calls = calls();
            assertEquals(1, calls.size(), calls.toString());
            JsonObject call = calls.get(0);
            assertEquals("alice", call.getString("caller"));
            assertTrue(List.of("offered", "starting").contains(call.getString("state")), call.toString());

            assertEquals(403, end(call.getString("id"), TestTokens.user("alice")).statusCode(),
                    "only an operator may end a call");
            assertEquals(404, end("no-such-call", TestTokens.admin()).statusCode());
            assertEquals(1, parts.liberty().status().getInt("listeners"));

            assertEquals(204, end(call.getString("id"), TestTokens.admin()).statusCode());
            assertEquals("ERROR this call was ended by an operator",
                    client.nextMatching(frame -> frame.startsWith("ERROR"), WAIT));
            assertEquals(4000, client.awaitClose(WAIT).code());
        }
        JsonObject idle = parts.liberty().awaitIdle(WAIT);
        assertEquals(0, idle.getInt("listeners"), idle.toString());
        assertTrue(calls().isEmpty());
    }

    @Test
    void thePageOfAnEndedCallSaysSoAndDoesNotCallAgain() {
        Process tone = parts.pulse().play(Tones.sine(parts.work().resolve("ended.wav"), 700, 20, 0.5), "virtspk");
        try (Chromium.Tab tab = chromium.open(parts.liberty().httpsUri("/?uid=alice"))) {
            PageAudio.assertHears(tab, 700);
            String id = calls().get(0).getString("id");
            assertEquals(204, end(id, TestTokens.admin()).statusCode());
            PageAudio.awaitState(tab, "error", 10_000);
            assertEquals("this call was ended by an operator", tab.page().textContent("#status"));
            Sleep.millis(3000); // longer than the client's first reconnect delays (0.5 s, 1 s)
            assertTrue(calls().isEmpty(), "the page did not call again: " + calls());
        } finally {
            tone.destroy();
        }
    }

    @Test
    void aListeningCallShowsItsNetworkFiguresFromTheBrowsersReceiverReports() {
        Process tone = parts.pulse().play(Tones.sine(parts.work().resolve("figures.wav"), 650, 30, 0.5), "virtspk");
        try (Chromium.Tab tab = chromium.open(parts.liberty().httpsUri("/?uid=alice"))) {
            PageAudio.assertHears(tab, 650);
            // Chrome sends an audio receiver report about every 5 s.
            JsonObject call = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (System.nanoTime() < deadline) {
                call = calls().get(0);
                if (!call.getJsonObject("network").isNull("roundTripMs")) {
                    break;
                }
                Sleep.millis(500);
            }
            JsonObject network = call.getJsonObject("network");
            assertTrue(!network.isNull("roundTripMs"), "no receiver report in 15 s: " + call);
            assertEquals("direct", network.getString("path"), call.toString());
            assertTrue(List.of("connected", "completed").contains(network.getString("iceState")), call.toString());
            double rtt = network.getJsonNumber("roundTripMs").doubleValue();
            assertTrue(rtt >= 0 && rtt < 500, "a loopback round trip: " + call);
            double loss = network.getJsonNumber("fractionLost").doubleValue();
            assertTrue(loss >= 0 && loss <= 1, call.toString());
            assertTrue(network.getJsonNumber("packetsLost").longValue() >= 0, call.toString());
            assertTrue(!network.isNull("jitterMs"), call.toString());
            // Opus at its default 64 kbit/s, with RTP and SRTP headers on top.
            double kbps = network.getJsonNumber("bitrateKbps").doubleValue();
            assertTrue(kbps > 20 && kbps < 200, "bitrate: " + call);
            long packets = network.getJsonNumber("packetsSent").longValue();
            assertTrue(packets > 100, "one packet per 20 ms: " + call);
            assertTrue(network.getJsonNumber("bytesSent").longValue() > packets * 50, call.toString());
            assertEquals(false, call.getBoolean("microphone"), "this page sends no microphone");
            assertTrue(call.getString("desktop").contains("virtspk"), call.toString());
            // A sine of amplitude 0.5 has an RMS of 0.354: -9 dBFS on the operators' meter.
            JsonObject stream = parts.liberty().status().getJsonArray("desktopStreams").getJsonObject(0);
            double level = stream.getJsonNumber("levelDb").doubleValue();
            assertTrue(level > -12 && level < -6, "the desktop stream's level: " + stream);
        } finally {
            tone.destroy();
        }
    }
}
