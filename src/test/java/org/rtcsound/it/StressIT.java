package org.rtcsound.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.json.JsonObject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.rtcsound.testing.SignallingClient;
import org.rtcsound.testing.Sleep;
import org.rtcsound.testing.Suite;
import org.rtcsound.testing.TestTokens;

/**
 * Hundreds of sessions opened and closed at random moments against one running server
 * (bounded in count and time, loopback only). gst1-java-core once corrupted the native
 * heap only under such a load. Afterwards the server is up, and its sessions, listeners, desktop streams,
 * threads and sockets are back at their baseline.
 */
@ExtendWith(Suite.class)
class StressIT {

    private static final int SESSIONS = 600;
    private static final int CONCURRENCY = 8;
    private static final Duration BUDGET = Duration.ofSeconds(120);
    /** Liberty's own thread pool may grow a little under load; GStreamer's must not. */
    private static final int THREAD_SLACK = 12;
    /** The test's own HTTP keep-alive connections may stay open; ICE sockets must not. */
    private static final int SOCKET_SLACK = 4;

    private final Suite.Parts parts;

    StressIT(Suite.Parts parts) {
        this.parts = parts;
    }

    @Test
    void hundredsOfSessionsOpenedAndClosedAtRandomLeaveNothingBehind() throws Exception {
        for (int i = 0; i < 3; i++) { // warm-up: GStreamer's lazily started threads exist from here on
            oneSession(3, new Random(i));
        }
        JsonObject baseline = parts.liberty().awaitIdle(Duration.ofSeconds(15));

        long deadline = System.nanoTime() + BUDGET.toNanos();
        AtomicInteger done = new AtomicInteger();
        AtomicInteger offers = new AtomicInteger();
        ExecutorService workers = Executors.newFixedThreadPool(CONCURRENCY);
        List<Future<?>> results = new ArrayList<>();
        for (int i = 0; i < SESSIONS; i++) {
            int seed = i;
            results.add(workers.submit(() -> {
                if (System.nanoTime() < deadline) {
                    Random random = new Random(seed);
                    if (oneSession(random.nextInt(6), random)) {
                        offers.incrementAndGet();
                    }
                    done.incrementAndGet();
                }
                return null;
            }));
        }
        workers.shutdown();
        assertTrue(workers.awaitTermination(BUDGET.toSeconds() + 60, TimeUnit.SECONDS), "workers did not finish");
        for (Future<?> result : results) {
            result.get();
        }

        assertEquals(200, parts.liberty().get("/health/ready").statusCode(), "server still up");
        JsonObject after = parts.liberty().awaitIdle(Duration.ofSeconds(30));
        long nativeThreads = parts.liberty().awaitStatusAtMost("nativeThreads", baseline.getInt("nativeThreads") + THREAD_SLACK);
        long openSockets = parts.liberty().awaitStatusAtMost("openSockets", baseline.getInt("openSockets") + SOCKET_SLACK);
        System.out.printf("stress: %d sessions (%d offers), baseline %s, after %s%n", done.get(), offers.get(),
                baseline, parts.liberty().status());
        assertTrue(done.get() >= 400, "only " + done.get() + " sessions in the time budget");
        assertEquals(0, after.getInt("sessions"), after.toString());
        assertEquals(0, after.getInt("listeners"), after.toString());
        assertTrue(nativeThreads <= baseline.getInt("nativeThreads") + THREAD_SLACK,
                "threads " + baseline.getInt("nativeThreads") + " -> " + nativeThreads);
        assertTrue(openSockets <= baseline.getInt("openSockets") + SOCKET_SLACK,
                () -> "open sockets " + baseline.getInt("openSockets") + " -> " + openSockets + ":\n"
                        + parts.liberty().sockets());
    }

    /** One token for all: signing 600 would only measure RSA. */
    private final String token = TestTokens.user("stress");

    /** One session ending at a random moment; true when it got as far as an offer. */
    private boolean oneSession(int behaviour, Random random) {
        SignallingClient client = SignallingClient.connect(parts.liberty().wsUri("/signalling"), token);
        boolean offered = false;
        try {
            switch (behaviour) {
                case 0 -> { } // connect and leave
                case 1 -> client.send("HELLO stress"); // leave while the pipeline starts
                case 2 -> {
                    client.send("HELLO stress");
                    Sleep.millis(random.nextInt(200));
                }
                case 3 -> {
                    client.send("HELLO stress");
                    client.nextMatching(f -> f.startsWith("{\"sdp\""), Duration.ofSeconds(10));
                    offered = true;
                }
                case 4 -> {
                    client.send("HELLO stress");
                    client.nextMatching(f -> f.startsWith("{\"sdp\""), Duration.ofSeconds(10));
                    offered = true;
                    Sleep.millis(random.nextInt(100));
                }
                default -> client.send("{\"garbage\":").send("HELLO").send("\u0000\u0001");
            }
        } finally {
            if (random.nextBoolean()) {
                client.abort();
            } else {
                client.close();
            }
        }
        return offered;
    }
}
