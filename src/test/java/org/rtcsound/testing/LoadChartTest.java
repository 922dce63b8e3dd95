package org.rtcsound.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The load benchmark's plot draws headless, without a display. */
class LoadChartTest {

    @Test
    void drawsAPng(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("load.png");
        LoadChart.write(png, "test", List.of(new LoadChart.Point(0, 1, 0, Double.NaN),
                new LoadChart.Point(10, 20, 15, 0), new LoadChart.Point(50, 95, 60, 3.5)), 50);
        byte[] bytes = Files.readAllBytes(png);
        assertTrue(bytes.length > 1000 && bytes[1] == 'P' && bytes[2] == 'N' && bytes[3] == 'G');
    }
}
