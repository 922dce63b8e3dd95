package org.rtcsound.testing;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedRangeXYPlot;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYStepRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Distributions of measured times as cumulative curves (the share of samples at or below
 * each time), drawn headless with JFreeChart as {@link LoadChart} is: one panel per kind of
 * measure, each with its own time axis and vertical lines at its targets, side by side on
 * one shared percentage axis. A median is where a curve crosses 50 %, a p95 where it
 * crosses 95 %.
 */
public final class DistributionChart {

    /** A vertical line across a panel: a target, say. */
    public record Line(double at, String label) {
    }

    /**
     * One curve: its name, its samples (negative ones, which mean "missed", left out), its
     * colour (an index into the chart's palette: curves of one thing share it) and whether it
     * is dashed (another measure of that thing).
     */
    public record Curve(String name, List<Double> samples, int color, boolean dashed) {
    }

    /** One panel: its time axis, its curves (in legend order) and its lines. */
    public record Panel(String axis, List<Curve> curves, List<Line> lines) {
    }

    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c),
        new Color(0x9467bd), new Color(0x8c564b), new Color(0x17becf), new Color(0x7f7f7f), new Color(0xe377c2), new Color(0xbcbd22),
        new Color(0x000000)};

    private DistributionChart() {
    }

    public static void write(Path png, String title, List<Panel> panels) {
        System.setProperty("java.awt.headless", "true");
        NumberAxis share = new NumberAxis("share of samples at or below, %");
        share.setRange(0, 100);
        CombinedRangeXYPlot combined = new CombinedRangeXYPlot(share);
        combined.setGap(16);
        for (Panel panel : panels) {
            XYSeriesCollection curves = new XYSeriesCollection();
            XYStepRenderer renderer = new XYStepRenderer();
            int index = 0;
            for (Curve curve : panel.curves()) {
                curves.addSeries(cumulative(curve.name(), curve.samples()));
                renderer.setSeriesPaint(index, COLORS[curve.color() % COLORS.length]);
                renderer.setSeriesStroke(index, curve.dashed() ? new BasicStroke(2f, BasicStroke.CAP_BUTT,
                        BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f) : new BasicStroke(2f));
                index++;
            }
            NumberAxis time = new NumberAxis(panel.axis());
            // from 0, and wide enough for every line: a target far from the samples still shows
            double upper = curves.getSeriesCount() == 0 ? 1 : curves.getDomainUpperBound(false);
            for (Line line : panel.lines()) {
                upper = Math.max(upper, line.at());
            }
            time.setRange(0, Double.isNaN(upper) ? 1 : upper * 1.05);
            XYPlot plot = new XYPlot(curves, time, null, renderer);
            for (int i = 0; i < panel.lines().size(); i++) {
                Line line = panel.lines().get(i);
                ValueMarker marker = new ValueMarker(line.at(), new Color(0xd62728), new BasicStroke(1.2f,
                        BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {4f, 3f}, 0f));
                marker.setLabel(line.label());
                marker.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
                marker.setLabelBackgroundColor(new Color(255, 255, 255, 0));
                // labels right of their line, one under the other, so that close lines keep them apart
                marker.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
                marker.setLabelTextAnchor(TextAnchor.TOP_LEFT);
                marker.setLabelOffset(new org.jfree.chart.ui.RectangleInsets(6 + 16 * i, 3, 0, 0));
                plot.addDomainMarker(marker);
            }
            plot.setBackgroundPaint(Color.WHITE);
            plot.setDomainGridlinePaint(new Color(0xdddddd));
            plot.setRangeGridlinePaint(new Color(0xdddddd));
            combined.add(plot, 1);
        }
        JFreeChart chart = new JFreeChart(title, new Font(Font.SANS_SERIF, Font.BOLD, 15), combined, true);
        chart.setBackgroundPaint(Color.WHITE);
        try {
            Files.createDirectories(png.toAbsolutePath().getParent());
            ChartUtils.saveChartAsPNG(png.toFile(), chart, 360 + 420 * panels.size(), 520);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The empirical distribution of {@code samples} (negative ones, which mean "missed", left out). */
    private static XYSeries cumulative(String name, List<Double> samples) {
        List<Double> sorted = new ArrayList<>(samples);
        sorted.removeIf(v -> v < 0 || v.isNaN());
        Collections.sort(sorted);
        XYSeries series = new XYSeries(name + " (n=" + sorted.size() + ")", true, true);
        if (!sorted.isEmpty()) {
            series.add(sorted.get(0), Double.valueOf(0)); // the curve rises from 0 % at the first sample
        }
        for (int i = 0; i < sorted.size(); i++) {
            series.add(sorted.get(i), Double.valueOf(100.0 * (i + 1) / sorted.size()));
        }
        return series;
    }
}
