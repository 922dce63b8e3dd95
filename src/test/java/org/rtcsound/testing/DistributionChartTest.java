package org.rtcsound.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The first-audio benchmark's plot draws headless, one panel beside the other. */
class DistributionChartTest {

    @Test
    void drawsAPngWithOnePanelPerMeasure(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("distributions.png");
        List<DistributionChart.Curve> loads = List.of(
                new DistributionChart.Curve("one writer", List.of(300.0, 320.0, 310.0, -1.0), 0, false),
                new DistributionChart.Curve("one writer, another measure", List.of(280.0, 300.0, 290.0), 0, true),
                new DistributionChart.Curve("another writer", List.of(400.0, 420.0, 420.0), 1, false));
        DistributionChart.write(png, "test", List.of(
                new DistributionChart.Panel("first audio, ms", loads, List.of(
                        new DistributionChart.Line(300, "target median"), new DistributionChart.Line(500, "target p95"))),
                new DistributionChart.Panel("onset, ms", List.of(
                        new DistributionChart.Curve("bursts", List.of(30.0, 31.5, 29.0), 2, false)), List.of())));
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(520, image.getHeight());
        assertTrue(image.getWidth() > 1000, "two panels side by side");
    }
}
