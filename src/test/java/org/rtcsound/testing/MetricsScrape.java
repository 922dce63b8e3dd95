package org.rtcsound.testing;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A server's {@code /metrics?scope=application}, read by Prometheus' own Python parser
 * (Debian's python3-prometheus-client), so that a test sees what a real scraper would.
 */
public record MetricsScrape(String text, List<Sample> samples) {

    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final Path PARSER = Path.of("src/test/python/prometheus_families.py").toAbsolutePath();

    /** One sample as the reference parser read it. */
    public record Sample(String type, String name, String labels, double value) {
    }

    /** Scrapes {@code server}; the text is kept in {@code work} for the parser. */
    public static MetricsScrape of(LibertyServer server, Path work) {
        HttpResponse<String> response = server.get("/metrics?scope=application");
        if (response.statusCode() != 200) {
            throw new AssertionError("GET /metrics?scope=application answered " + response.statusCode() + ": "
                    + response.body());
        }
        if (!Files.isExecutable(PYTHON)) {
            throw new AssertionError(PYTHON + " is missing: install the Debian packages python3 and"
                    + " python3-prometheus-client (./rtcsound test installs them)");
        }
        try {
            Path file = Files.createTempFile(work, "metrics", ".txt");
            Files.writeString(file, response.body());
            String parsed = Processes.run(List.of(PYTHON.toString(), "-s", PARSER.toString(), file.toString()),
                    Map.of(), 30);
            Files.delete(file);
            List<Sample> samples = parsed.lines().map(line -> line.split(" ", 2)).map(typeAndRest -> {
                String rest = typeAndRest[1];
                String name = rest.substring(0, rest.indexOf(' '));
                String labels = rest.substring(name.length() + 1, rest.lastIndexOf(' '));
                return new Sample(typeAndRest[0], name, labels, number(rest.substring(rest.lastIndexOf(' ') + 1)));
            }).toList();
            return new MetricsScrape(response.body(), samples);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The value of a sample whose labels contain {@code tags} (e.g. {@code "reason": "no-desktop"}); 0 if absent. */
    public double value(String name, String tags) {
        return samples.stream().filter(s -> s.name().equals(name) && s.labels().contains(tags))
                .mapToDouble(Sample::value).findFirst().orElse(0);
    }

    public String type(String name) {
        return samples.stream().filter(s -> s.name().equals(name)).map(Sample::type).findFirst().orElse("none");
    }

    /** A value as Python prints it ({@code nan} for a figure not measured yet). */
    private static double number(String text) {
        return switch (text) {
            case "nan" -> Double.NaN;
            case "inf" -> Double.POSITIVE_INFINITY;
            case "-inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(text);
        };
    }
}
