package org.rtcsound.testing;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.Layer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The load benchmark's plot, drawn headless with JFreeChart: the server's CPU (% of one
 * core) and the load generator's on the left axis, concealment (%) on the right, against
 * listeners, with a line where the server stops keeping up.
 */
public final class LoadChart {

    /** One step of the run as the plot needs it. */
    public record Point(int listeners, double serverCpu, double generatorCpu, double concealedPercent) {
    }

    private LoadChart() {
    }

    /**
     * Writes the PNG. {@code stopsAt} is the listener count of the first step that did not
     * keep up, or -1 if every step did.
     */
    public static void write(Path png, String title, List<Point> points, int stopsAt) {
        System.setProperty("java.awt.headless", "true");
        XYSeries server = new XYSeries("server CPU (% of one core)");
        XYSeries generator = new XYSeries("load generator CPU (% of one core)");
        XYSeries concealed = new XYSeries("concealed samples (%)");
        for (Point p : points) {
            server.add(p.listeners(), p.serverCpu());
            generator.add(p.listeners(), p.generatorCpu());
            if (!Double.isNaN(p.concealedPercent())) {
                concealed.add(p.listeners(), p.concealedPercent());
            }
        }
        XYSeriesCollection cpu = new XYSeriesCollection();
        cpu.addSeries(server);
        cpu.addSeries(generator);

        NumberAxis listenersAxis = new NumberAxis("listeners");
        listenersAxis.setAutoRangeIncludesZero(true);
        NumberAxis cpuAxis = new NumberAxis("CPU, % of one core");
        cpuAxis.setAutoRangeIncludesZero(true);
        XYLineAndShapeRenderer cpuRenderer = new XYLineAndShapeRenderer(true, true);
        cpuRenderer.setSeriesPaint(0, new Color(0x1f77b4));
        cpuRenderer.setSeriesStroke(0, new BasicStroke(2.5f));
        cpuRenderer.setSeriesPaint(1, new Color(0x999999));
        cpuRenderer.setSeriesStroke(1, new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                new float[] {6f, 4f}, 0f));
        XYPlot plot = new XYPlot(cpu, listenersAxis, cpuAxis, cpuRenderer);

        NumberAxis concealedAxis = new NumberAxis("concealed samples, %");
        concealedAxis.setAutoRangeIncludesZero(true);
        double maxConcealed = concealed.getItemCount() == 0 ? 0 : concealed.getMaxY();
        concealedAxis.setRange(0, Math.max(2, maxConcealed * 1.15));
        plot.setRangeAxis(1, concealedAxis);
        plot.setDataset(1, new XYSeriesCollection(concealed));
        plot.mapDatasetToRangeAxis(1, 1);
        XYLineAndShapeRenderer concealedRenderer = new XYLineAndShapeRenderer(true, true);
        concealedRenderer.setSeriesPaint(0, new Color(0xd62728));
        concealedRenderer.setSeriesStroke(0, new BasicStroke(2f));
        plot.setRenderer(1, concealedRenderer);

        ValueMarker limit = new ValueMarker(1.0, new Color(0xd62728, false), new BasicStroke(0.8f));
        limit.setLabel("1 % concealed");
        limit.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        limit.setLabelAnchor(RectangleAnchor.TOP_LEFT);
        limit.setLabelTextAnchor(TextAnchor.BOTTOM_LEFT);
        plot.addRangeMarker(1, limit, Layer.FOREGROUND);
        if (stopsAt >= 0) {
            ValueMarker marker = new ValueMarker(stopsAt, new Color(0xd62728), new BasicStroke(1.5f,
                    BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {3f, 3f}, 0f));
            marker.setLabel("stops keeping up: " + stopsAt);
            marker.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            marker.setLabelAnchor(RectangleAnchor.TOP_LEFT);
            marker.setLabelTextAnchor(TextAnchor.TOP_RIGHT);
            plot.addDomainMarker(marker);
        }
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xdddddd));
        plot.setRangeGridlinePaint(new Color(0xdddddd));

        JFreeChart chart = new JFreeChart(title, new Font(Font.SANS_SERIF, Font.BOLD, 15), plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        try {
            Files.createDirectories(png.toAbsolutePath().getParent());
            ChartUtils.saveChartAsPNG(png.toFile(), chart, 900, 520);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
