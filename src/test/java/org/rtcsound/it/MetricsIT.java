package org.rtcsound.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.rtcsound.testing.SignallingClient;
import org.rtcsound.testing.Suite;
import org.rtcsound.testing.TestTokens;

/**
 * {@code /metrics} in Prometheus' format, open to a scraper without credentials: what is open
 * (calls, listeners, desktop streams) follows a real call, and calls opened and refused by
 * kind are counted; no figure names a user or holds a token.
 */
@ExtendWith(Suite.class)
class MetricsIT {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final Suite.Parts parts;

    MetricsIT(Suite.Parts parts) {
        this.parts = parts;
    }

    private String scrape() {
        HttpResponse<String> response = parts.liberty().get("/metrics?scope=application");
        assertEquals(200, response.statusCode(), response.body());
        return response.body();
    }

    /** The value of an application metric, with {@code tags} (e.g. {@code reason="no-desktop"}) among its labels; 0 if absent. */
    private static double value(String scrape, String name, String tags) {
        Pattern line = Pattern.compile("^" + Pattern.quote(name) + "\\{([^}]*)\\} (\\S+)$", Pattern.MULTILINE);
        Matcher matcher = line.matcher(scrape);
        while (matcher.find()) {
            if (matcher.group(1).contains(tags)) {
                return Double.parseDouble(matcher.group(2));
            }
        }
        return 0;
    }

    @Test
    void whatIsOpenFollowsACallAndOpenedCallsAreCounted() {
        String before = scrape();
        assertTrue(before.contains("# TYPE rtcsound_listeners gauge"), before);
        double opened = value(before, "rtcsound_calls_opened_total", "");
        try (SignallingClient client = parts.liberty().signalling("alice")) {
            client.send("HELLO alice");
            client.nextMatching(frame -> frame.startsWith("{\"sdp\""), WAIT);
            String during = scrape();
            assertEquals(1, value(during, "rtcsound_listeners", ""), during);
            assertEquals(1, value(during, "rtcsound_desktop_streams", ""), during);
            assertEquals(1, value(during, "rtcsound_calls_open", ""), during);
            assertEquals(opened + 1, value(during, "rtcsound_calls_opened_total", ""), during);
        }
        parts.liberty().awaitIdle(WAIT);
        String after = scrape();
        assertEquals(0, value(after, "rtcsound_listeners", ""), after);
        assertEquals(0, value(after, "rtcsound_desktop_streams", ""), after);
    }

    @Test
    void refusalsAreCountedByKindAndNoTokenShows() {
        String bad = TestTokens.unsigned("mallory");
        double refused = value(scrape(), "rtcsound_calls_refused_total", "reason=\"token-refused\"");
        try (SignallingClient client = SignallingClient.connect(parts.liberty().wsUri("/signalling"), bad)) {
            assertTrue(client.next(WAIT).startsWith("ERROR token refused"));
            client.awaitClose(WAIT);
        }
        String after = scrape();
        assertEquals(refused + 1, value(after, "rtcsound_calls_refused_total", "reason=\"token-refused\""), after);
        assertTrue(!after.contains(bad) && !after.contains("mallory"), "no token or user in the figures");
    }
}
