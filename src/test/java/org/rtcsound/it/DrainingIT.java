package org.rtcsound.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.rtcsound.testing.Suite;

/**
 * A stopping pod is not ready before it stops: while the drain file (the chart's preStop
 * hook creates it) exists, {@code /health/ready} is DOWN and says why; without it, ready.
 */
@ExtendWith(Suite.class)
class DrainingIT {

    private final Suite.Parts parts;

    DrainingIT(Suite.Parts parts) {
        this.parts = parts;
    }

    @Test
    void theDrainFileTakesTheServerOutOfReadiness() throws IOException {
        Path drainFile = parts.work().resolve("draining");
        Files.deleteIfExists(drainFile);
        Suite.editOdConfig(sample -> sample + "\nrtcsound.drain-file : '" + drainFile + "'\n");
        try {
            parts.liberty().awaitConfig(c -> c.getJsonObject("values").getString("rtcsound.drain-file", "")
                    .equals(drainFile.toString()), Duration.ofSeconds(10));
            assertEquals(200, parts.liberty().get("/health/ready").statusCode());
            Files.createFile(drainFile);
            HttpResponse<String> draining = parts.liberty().get("/health/ready");
            assertEquals(503, draining.statusCode(), draining.body());
            assertTrue(draining.body().contains("draining: " + drainFile + " exists"), draining.body());
            assertEquals(200, parts.liberty().get("/health/live").statusCode(), "alive: it only takes no new call");
            Files.delete(drainFile);
            assertEquals(200, parts.liberty().get("/health/ready").statusCode());
        } finally {
            Files.deleteIfExists(drainFile);
            Suite.restoreOdConfig();
        }
    }
}
