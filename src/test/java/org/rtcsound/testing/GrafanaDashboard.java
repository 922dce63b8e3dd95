package org.rtcsound.testing;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

/**
 * The Grafana dashboard the Helm chart ships ({@code helm/rtcsound/dashboards/rtcsound.json}):
 * its panels' PromQL queries and the rtcsound metrics they name.
 */
public final class GrafanaDashboard {

    public static final Path FILE = Path.of("helm/rtcsound/dashboards/rtcsound.json");

    /** A metric of rtcsound's in a query (PromQL functions and label names never start so). */
    private static final Pattern METRIC = Pattern.compile("\\brtcsound_[a-z0-9_]+");

    private GrafanaDashboard() {
    }

    public static JsonObject read() {
        try {
            return parse(Files.readString(FILE));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static JsonObject parse(String json) {
        return Json.createReader(new StringReader(json)).readObject();
    }

    /** The panels that show something (rows only group them). */
    public static List<JsonObject> panels(JsonObject dashboard) {
        return dashboard.getJsonArray("panels").getValuesAs(JsonObject.class).stream()
                .filter(panel -> !"row".equals(panel.getString("type"))).toList();
    }

    /** Every query of every panel. */
    public static List<String> exprs(JsonObject dashboard) {
        List<String> exprs = new ArrayList<>();
        for (JsonObject panel : panels(dashboard)) {
            panel.getJsonArray("targets").getValuesAs(JsonObject.class)
                    .forEach(target -> exprs.add(target.getString("expr", "")));
        }
        return exprs;
    }

    /** The series names the queries select, as a scrape names its samples ({@code _total}, {@code _bucket} included). */
    public static Set<String> metricNames(JsonObject dashboard) {
        Set<String> names = new TreeSet<>();
        for (String expr : exprs(dashboard)) {
            Matcher metric = METRIC.matcher(expr);
            while (metric.find()) {
                names.add(metric.group());
            }
        }
        return names;
    }

    /** True for a panel whose queries all go to the dashboard's Prometheus data source variable. */
    public static boolean usesTheDataSourceVariable(JsonObject panel) {
        return panel.getJsonArray("targets").getValuesAs(JsonObject.class).stream()
                .map(target -> target.getOrDefault("datasource", JsonValue.NULL))
                .allMatch(source -> source instanceof JsonObject object
                        && "${datasource}".equals(object.getString("uid", null)));
    }
}
