package org.rtcsound.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.json.JsonObject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.rtcsound.testing.Chromium;
import org.rtcsound.testing.ChromiumPerClass;
import org.rtcsound.testing.PageAudio;
import org.rtcsound.testing.SignallingClient;
import org.rtcsound.testing.Suite;
import org.rtcsound.testing.TestTokens;
import org.rtcsound.testing.Tones;

/**
 * Thousands of generated frames (random text, and mutations of every valid message) on
 * many connections, with and without a token, against one running server, bounded in
 * count and time. Meanwhile a browser plays the desktop's tone and keeps hearing it; after,
 * the server is up and its sessions, listeners, desktop streams, threads and sockets are back at baseline.
 * The seed is printed, so a failure can be replayed.
 */
@ExtendWith({Suite.class, ChromiumPerClass.class})
class SignallingFuzzIT {

    private static final int FRAMES = 4000;
    private static final int CONCURRENCY = 4;
    private static final Duration BUDGET = Duration.ofSeconds(90);
    private static final int THREAD_SLACK = 12;
    /** The test's own HTTP keep-alive connections may stay open; nothing else may. */
    private static final int SOCKET_SLACK = 4;
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final Suite.Parts parts;
    private final Chromium chromium;
    private final String validToken = TestTokens.user("fuzz");
    private final String strangerToken = TestTokens.sign(TestTokens.STRANGER, "RS256", c -> c.setSubject("fuzz"));

    SignallingFuzzIT(Suite.Parts parts, Chromium chromium) {
        this.parts = parts;
        this.chromium = chromium;
    }

    /** Well-formed messages of every kind: what the mutations start from. */
    private List<String> validFrames() {
        return List.of("TOKEN " + validToken, "HELLO fuzz", "HELLO other",
                "{\"sdp\":{\"type\":\"answer\",\"sdp\":\"v=0\\r\\no=- 1 2 IN IP4 127.0.0.1\\r\\ns=-\\r\\nt=0 0\\r\\n"
                        + "m=audio 9 UDP/TLS/RTP/SAVPF 96\\r\\nc=IN IP4 0.0.0.0\\r\\na=mid:audio0\\r\\n"
                        + "a=ice-ufrag:abcd\\r\\na=ice-pwd:abcdefghijklmnopqrstuvwx\\r\\n"
                        + "a=fingerprint:sha-256 00:11:22\\r\\na=setup:active\\r\\na=sendrecv\\r\\n"
                        + "a=rtpmap:96 opus/48000/2\\r\\n\"}}",
                "{\"ice\":{\"candidate\":\"candidate:1 1 UDP 2122260223 127.0.0.1 54321 typ host\",\"sdpMLineIndex\":0}}",
                "{\"ice\":null}", "SESSION fuzz", "ROOM 1", "{\"sdp\":{\"type\":\"offer\",\"sdp\":\"v=0\"}}");
    }

    private static final String ALPHABET = "{}[]\":,\\ \r\n\t\u0000\u0007abcHELOTKN0123456789.-_=+/éß€\uD83D\uDE00"
            + "\uFFFF\u202E<>'";

    private String generate(Random random, List<String> valid) {
        int kind = random.nextInt(10);
        if (kind == 0) { // pure noise
            StringBuilder noise = new StringBuilder();
            int length = random.nextInt(300);
            for (int i = 0; i < length; i++) {
                noise.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
            }
            return noise.toString();
        }
        if (kind == 1) { // deep nesting, which a recursive parser would not survive
            int depth = 1 + random.nextInt(20_000);
            return "[".repeat(depth) + "]".repeat(random.nextInt(depth + 1));
        }
        if (kind == 2) { // near and past the frame limit
            return "{\"ice\":\"" + "x".repeat(60_000 + random.nextInt(10_000)) + "\"}";
        }
        StringBuilder frame = new StringBuilder(valid.get(random.nextInt(valid.size())));
        int mutations = random.nextInt(6);
        for (int i = 0; i < mutations && frame.length() > 0; i++) {
            int at = random.nextInt(frame.length());
            switch (random.nextInt(5)) {
                case 0 -> frame.setCharAt(at, ALPHABET.charAt(random.nextInt(ALPHABET.length())));
                case 1 -> frame.setLength(at);
                case 2 -> frame.insert(at, ALPHABET.charAt(random.nextInt(ALPHABET.length())));
                case 3 -> frame.insert(at, frame.substring(at, Math.min(frame.length(), at + random.nextInt(50))));
                default -> frame.deleteCharAt(at);
            }
        }
        return frame.toString();
    }

    /** One connection's worth of frames; returns how many were sent. */
    private int oneConnection(Random random, List<String> valid, int budget) {
        int auth = random.nextInt(5);
        SignallingClient client;
        try {
            client = auth <= 2 ? SignallingClient.connect(parts.liberty().wsUri("/signalling"), validToken)
                    : auth == 3 ? SignallingClient.connect(parts.liberty().wsUri("/signalling"), strangerToken)
                    : SignallingClient.connect(parts.liberty().wsUri("/signalling"));
        } catch (CompletionException e) {
            throw new AssertionError("the server stopped accepting connections", e);
        }
        int sent = 0;
        try {
            if (auth <= 2 && random.nextBoolean()) {
                client.send("HELLO fuzz"); // a call, so mutations meet a live pipeline too
                sent++;
            }
            int frames = Math.min(budget - sent, 1 + random.nextInt(25));
            for (int i = 0; i < frames && !client.isClosed(); i++) {
                if (random.nextInt(40) == 0) {
                    client.sendBinary(new byte[] {(byte) random.nextInt(), 0, 1});
                } else {
                    client.send(generate(random, valid));
                }
                sent++;
            }
        } catch (CompletionException | IllegalStateException e) {
            // the server closed this connection (oversize, binary, refused): that is its right
        } finally {
            if (random.nextBoolean()) {
                client.abort();
            } else {
                client.close();
            }
        }
        return Math.max(sent, 1);
    }

    @Test
    void thousandsOfGeneratedFramesHarmNeitherTheServerNorAPlayingSession() throws Exception {
        long seed = Long.getLong("rtcsound.fuzz.seed", System.nanoTime());
        System.out.println("signalling fuzz seed: " + seed + " (replay with -Drtcsound.fuzz.seed=" + seed + ")");
        try (SignallingClient warmUp = parts.liberty().signalling("fuzz")) {
            warmUp.send("HELLO fuzz");
            warmUp.nextMatching(f -> f.startsWith("{\"sdp\""), WAIT);
        }
        JsonObject baseline = parts.liberty().awaitIdle(Duration.ofSeconds(15));

        Process tone = parts.pulse().play(Tones.sine(parts.work().resolve("fuzz-tone.wav"), 660, 300, 0.5), "virtspk");
        try (Chromium.Tab tab = chromium.open(parts.liberty().httpsUri("/?uid=steady"))) {
            PageAudio.awaitState(tab, "available", 20_000);
            PageAudio.awaitPackets(tab, 5000);
            long packetsBefore = PageAudio.inbound(tab).packetsReceived();

            List<String> valid = validFrames();
            long deadline = System.nanoTime() + BUDGET.toNanos();
            AtomicInteger frames = new AtomicInteger();
            ExecutorService workers = Executors.newFixedThreadPool(CONCURRENCY);
            List<Future<?>> results = new ArrayList<>();
            for (int w = 0; w < CONCURRENCY; w++) {
                Random random = new Random(seed + w);
                results.add(workers.submit(() -> {
                    while (frames.get() < FRAMES && System.nanoTime() < deadline) {
                        frames.addAndGet(oneConnection(random, valid, FRAMES - frames.get()));
                    }
                    return null;
                }));
            }
            workers.shutdown();
            assertTrue(workers.awaitTermination(BUDGET.toSeconds() + 60, TimeUnit.SECONDS), "fuzzers did not finish");
            for (Future<?> result : results) {
                result.get();
            }
            System.out.printf("signalling fuzz: %d frames%n", frames.get());
            assertTrue(frames.get() >= 2000, "only " + frames.get() + " frames in the time budget");

            assertEquals(200, parts.liberty().get("/health/ready").statusCode(), "server still up");
            assertEquals("available", tab.page().evaluate("window.rtcsound.state"));
            long packetsAfter = PageAudio.inbound(tab).packetsReceived();
            assertTrue(packetsAfter > packetsBefore, "the playing session stalled: " + packetsBefore + " -> "
                    + packetsAfter);
            PageAudio.Heard heard = PageAudio.listen(tab, 1000);
            assertTrue(Math.abs(heard.peakHz() - 660) <= 2 * heard.binHz(), "still hears the desktop: " + heard);
        } finally {
            tone.destroy();
        }

        JsonObject after = parts.liberty().awaitIdle(Duration.ofSeconds(30));
        assertEquals(0, after.getInt("sessions"), after.toString());
        assertEquals(0, after.getInt("listeners"), after.toString());
        long threads = parts.liberty().awaitStatusAtMost("nativeThreads", baseline.getInt("nativeThreads") + THREAD_SLACK);
        long sockets = parts.liberty().awaitStatusAtMost("openSockets", baseline.getInt("openSockets") + SOCKET_SLACK);
        System.out.printf("signalling fuzz: baseline %s, after %s%n", baseline, parts.liberty().status());
        assertTrue(threads <= baseline.getInt("nativeThreads") + THREAD_SLACK, "threads left: " + threads);
        assertTrue(sockets <= baseline.getInt("openSockets") + SOCKET_SLACK,
                () -> "sockets left: " + sockets + "\n" + parts.liberty().sockets());
    }
}
