package org.rtcsound.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import jakarta.json.JsonObject;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.rtcsound.config.OdConfigReader;
import org.rtcsound.testing.GrafanaDashboard;
import org.rtcsound.testing.Suite;
import org.yaml.snakeyaml.Yaml;

/**
 * The Helm chart, linted and rendered for real by Helm's own library (no helm binary runs
 * here), and its manifests checked: required fields, RBAC verbs exactly as rtcsound needs
 * them, probe paths the built server really answers, the od.config ConfigMap key, and the
 * routes in an abcdesktop installation (nginx lines and Ingress), followed path by path the
 * way nginx and an Ingress controller choose.
 */
@ExtendWith(Suite.class)
class HelmChartIT {

    private static final Path CHART = Path.of("helm/rtcsound");

    private final Suite.Parts parts;

    HelmChartIT(Suite.Parts parts) {
        this.parts = parts;
    }

    private static List<Map<String, Object>> render() {
        return render(Map.of());
    }

    /** The chart rendered with coturn and the od.config ConfigMap on, and {@code values} set. */
    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> render(Map<String, Object> values) {
        TemplateCommand template = new Helm(CHART).template().withName("sound").withNamespace("abcdesktop")
                .set("coturn.enabled", true).set("odConfig.create", true);
        for (Map.Entry<String, Object> value : values.entrySet()) {
            template = template.set(value.getKey(), value.getValue());
        }
        String rendered = template.call();
        List<Map<String, Object>> documents = new ArrayList<>();
        for (Object document : new Yaml().loadAll(rendered)) {
            if (document != null) {
                documents.add((Map<String, Object>) document);
            }
        }
        return documents;
    }

    @SuppressWarnings("unchecked")
    private static <T> T at(Object node, Object... path) {
        Object current = node;
        for (Object step : path) {
            current = step instanceof Integer index ? ((List<Object>) current).get(index)
                    : ((Map<String, Object>) current).get(step);
        }
        return (T) current;
    }

    private static Map<String, Object> only(List<Map<String, Object>> documents, String kind, String name) {
        return documents.stream().filter(d -> kind.equals(d.get("kind")) && name.equals(at(d, "metadata", "name")))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    @Test
    void theChartLints() {
        LintResult lint = new Helm(CHART).lint().strict().call();
        assertFalse(lint.isFailed(), String.join("\n", lint.getMessages()));
    }

    @Test
    void everyManifestHasItsRequiredFields() {
        List<Map<String, Object>> documents = render();
        assertTrue(documents.size() >= 8, "manifests: " + documents.size());
        for (Map<String, Object> document : documents) {
            assertNotNull(document.get("apiVersion"), document.toString());
            assertNotNull(document.get("kind"), document.toString());
            assertNotNull(at(document, "metadata", "name"), document.toString());
        }
    }

    @Test
    void theRoleAllowsExactlyWhatRtcsoundNeeds() {
        Map<String, Object> role = only(render(), "Role", "sound");
        assertEquals(List.of(
                Map.of("apiGroups", List.of(""), "resources", List.of("configmaps"),
                        "resourceNames", List.of("abcdesktop-config"), "verbs", List.of("get", "watch")),
                Map.of("apiGroups", List.of(""), "resources", List.of("pods"), "verbs", List.of("get", "list", "watch"))),
                role.get("rules"));
        Map<String, Object> binding = only(render(), "RoleBinding", "sound");
        assertEquals("sound", at(binding, "subjects", 0, "name"));
        assertEquals("sound", at(only(render(), "Deployment", "sound"), "spec", "template", "spec", "serviceAccountName"));
    }

    @Test
    void theProbesArePathsTheBuiltServerAnswers() {
        Map<String, Object> container = at(only(render(), "Deployment", "sound"), "spec", "template", "spec",
                "containers", 0);
        for (String probe : List.of("readinessProbe", "livenessProbe")) {
            String path = at(container, probe, "httpGet", "path");
            assertEquals(200, parts.liberty().get(path).statusCode(), probe + " " + path);
        }
        assertNotNull(at(container, "resources", "limits", "memory"));
        List<Map<String, Object>> env = at(container, "env");
        assertTrue(env.contains(Map.of("name", "RTCSOUND_ODCONFIG_SOURCE", "value", "configmap")), env.toString());
        assertTrue(env.contains(Map.of("name", "JVM_ARGS", "value", "-Xmx256m")), env.toString());
    }

    @Test
    void podsAreAnnotatedForScrapingAPathTheBuiltServerAnswersWithMetrics() {
        Map<String, Object> annotations = at(only(render(), "Deployment", "sound"), "spec", "template", "metadata",
                "annotations");
        assertEquals("true", annotations.get("prometheus.io/scrape"));
        assertEquals("9080", annotations.get("prometheus.io/port"));
        HttpResponse<String> metrics = parts.liberty().get((String) annotations.get("prometheus.io/path"));
        assertEquals(200, metrics.statusCode());
        assertTrue(metrics.body().contains("rtcsound_listeners"), metrics.body());
        Map<String, Object> off = at(only(render(Map.of("metrics.scrapeAnnotations", false)), "Deployment", "sound"),
                "spec", "template", "metadata");
        assertNull(off.get("annotations"), off.toString());
    }

    @Test
    void theGrafanaDashboardRendersOnlyWhenEnabledWithTheSidecarsLabelAndParses() {
        assertTrue(render().stream().noneMatch(d -> "sound-grafana-dashboard".equals(at(d, "metadata", "name"))),
                "off by default");
        Map<String, Object> configMap = only(render(Map.of("metrics.grafanaDashboard.enabled", true)), "ConfigMap",
                "sound-grafana-dashboard");
        assertEquals("1", at(configMap, "metadata", "labels", "grafana_dashboard"));
        assertEquals("abcdesktop", at(configMap, "metadata", "namespace"));
        JsonObject dashboard = GrafanaDashboard.parse(at(configMap, "data", "rtcsound.json"));
        assertEquals(GrafanaDashboard.read(), dashboard, "the ConfigMap holds " + GrafanaDashboard.FILE + " as it is");
        assertEquals("rtcsound", dashboard.getString("uid"));
        List<JsonObject> panels = GrafanaDashboard.panels(dashboard);
        assertTrue(panels.size() >= 10, "panels: " + panels.size());
        for (JsonObject panel : panels) {
            assertFalse(panel.getJsonArray("targets").isEmpty(), "a panel without a query: " + panel);
            assertTrue(GrafanaDashboard.usesTheDataSourceVariable(panel), "data source: " + panel);
            assertNotNull(panel.getJsonObject("gridPos"), panel.toString());
        }
        assertEquals(panels.size(), panels.stream().map(p -> p.getInt("id")).distinct().count(), "panel ids are unique");
        assertTrue(GrafanaDashboard.exprs(dashboard).stream().allMatch(e -> e.contains("rtcsound_")),
                "every query reads rtcsound's figures: " + GrafanaDashboard.exprs(dashboard));
        Map<String, Object> elsewhere = only(render(Map.of("metrics.grafanaDashboard.enabled", true,
                "metrics.grafanaDashboard.namespace", "monitoring")), "ConfigMap", "sound-grafana-dashboard");
        assertEquals("monitoring", at(elsewhere, "metadata", "namespace"));
    }

    @Test
    void aStoppingPodWaitsOutOfTheServiceBeforeLibertyStops() {
        Map<String, Object> container = at(only(render(), "Deployment", "sound"), "spec", "template", "spec",
                "containers", 0);
        // Readiness goes DOWN first (the drain file DrainingIT shows), then the pause.
        assertEquals(List.of("sh", "-c", "touch /tmp/rtcsound.draining && sleep 5"),
                at(container, "lifecycle", "preStop", "exec", "command"));
    }

    @Test
    void theOdConfigConfigMapHasTheKeyRtcsoundReadsAndItParses() throws Exception {
        Map<String, Object> configMap = only(render(), "ConfigMap", "abcdesktop-config");
        String odConfig = at(configMap, "data", "od.config");
        assertNotNull(odConfig, "key od.config");
        OdConfigReader.read("helm od.config", odConfig.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void onlyRtcsoundMayReachTheDesktopsPulseAudio() {
        Map<String, Object> policy = only(render(), "NetworkPolicy", "sound-desktop-pulseaudio");
        assertEquals(Map.of("type", "x11server"), at(policy, "spec", "podSelector", "matchLabels"));
        assertEquals(Map.of("app.kubernetes.io/name", "rtcsound", "app.kubernetes.io/instance", "sound"),
                at(policy, "spec", "ingress", 0, "from", 0, "podSelector", "matchLabels"));
        assertEquals(4713, (Integer) at(policy, "spec", "ingress", 0, "ports", 0, "port"));
        List<Map<String, Object>> env = at(only(render(), "Deployment", "sound"), "spec", "template", "spec",
                "containers", 0, "env");
        assertTrue(env.contains(Map.of("name", "RTCSOUND_DESKTOPS_SOURCE", "value", "kubernetes")), env.toString());
    }

    @Test
    void theIngressRoutesTheWebSocketWithLongTimeouts() {
        Map<String, Object> ingress = only(render(), "Ingress", "sound");
        assertEquals("3600", at(ingress, "metadata", "annotations", "nginx.ingress.kubernetes.io/proxy-read-timeout"));
        List<Map<String, Object>> paths = at(ingress, "spec", "rules", 0, "http", "paths");
        assertTrue(paths.stream().anyMatch(p -> "/signalling".equals(p.get("path"))), paths.toString());
    }

    @Test
    void theChartTurnsTheDemoSignInOffAndMountsTheTokenKeysFromSecrets() {
        Map<String, Object> spec = at(only(render(), "Deployment", "sound"), "spec", "template", "spec");
        List<Map<String, Object>> env = at(spec, "containers", 0, "env");
        assertTrue(env.contains(Map.of("name", "RTCSOUND_SECURITY_DEMO_SIGN_IN", "value", "false")), env.toString());
        assertTrue(env.contains(Map.of("name", "RTCSOUND_SECURITY_TRUST_FORWARDED_PROTO", "value", "true")),
                "TLS ends at the ingress: " + env);
        assertTrue(env.contains(Map.of("name", "RTCSOUND_JWT_PUBLIC_KEY_FILE",
                "value", "/etc/rtcsound/signing/abcdesktop_jwt_desktop_signing_public_key.pem")), env.toString());
        assertTrue(env.contains(Map.of("name", "RTCSOUND_JWT_PAYLOAD_PRIVATE_KEY_FILE",
                "value", "/etc/rtcsound/payload/abcdesktop_jwt_desktop_payload_private_key.pem")), env.toString());
        assertEquals("abcdesktopjwtdesktoppayload", at(spec, "volumes", 1, "secret", "secretName"));
        assertEquals("/etc/rtcsound/payload", at(spec, "containers", 0, "volumeMounts", 1, "mountPath"));
    }

    // The optional HorizontalPodAutoscaler.

    private static final Map<String, Object> AUTOSCALING = Map.of("autoscaling.enabled", true,
            "autoscaling.minReplicas", 2, "autoscaling.maxReplicas", 7,
            "autoscaling.targetCPUUtilizationPercentage", 55, "resources.requests.cpu", "500m");

    private static List<Map<String, Object>> autoscalers(List<Map<String, Object>> documents) {
        return documents.stream().filter(d -> "HorizontalPodAutoscaler".equals(d.get("kind"))).toList();
    }

    @Test
    void withoutAutoscalingThereIsNoAutoscalerAndTheDeploymentSetsItsReplicas() {
        List<Map<String, Object>> documents = render();
        assertEquals(List.of(), autoscalers(documents));
        assertEquals(1, (Integer) at(only(documents, "Deployment", "sound"), "spec", "replicas"));
        assertEquals(3, (Integer) at(only(render(Map.of("replicaCount", 3)), "Deployment", "sound"), "spec", "replicas"));
    }

    @Test
    void withAutoscalingAnAutoscalerOnCpuOwnsTheDeploymentsReplicas() {
        List<Map<String, Object>> documents = render(AUTOSCALING);
        List<Map<String, Object>> autoscalers = autoscalers(documents);
        assertEquals(1, autoscalers.size(), autoscalers.toString());
        Map<String, Object> autoscaler = only(documents, "HorizontalPodAutoscaler", "sound");
        assertEquals("autoscaling/v2", autoscaler.get("apiVersion"));
        Map<String, Object> deployment = only(documents, "Deployment", "sound");
        // The target is the rendered Deployment itself.
        assertEquals(Map.of("apiVersion", deployment.get("apiVersion"), "kind", "Deployment", "name", "sound"),
                at(autoscaler, "spec", "scaleTargetRef"));
        assertEquals(2, (Integer) at(autoscaler, "spec", "minReplicas"));
        assertEquals(7, (Integer) at(autoscaler, "spec", "maxReplicas"));
        assertEquals(List.of(Map.of("type", "Resource", "resource", Map.of("name", "cpu",
                "target", Map.of("type", "Utilization", "averageUtilization", 55)))), at(autoscaler, "spec", "metrics"));
        Map<String, Object> spec = at(deployment, "spec");
        assertFalse(spec.containsKey("replicas"), "the autoscaler owns replicas: " + spec.get("replicas"));
        assertEquals("500m", at(spec, "template", "spec", "containers", 0, "resources", "requests", "cpu"));
        // replicaCount no longer reaches the Deployment.
        Map<String, Object> withReplicaCount = new HashMap<>(AUTOSCALING);
        withReplicaCount.put("replicaCount", 3);
        Map<String, Object> stillWithout = at(only(render(withReplicaCount), "Deployment", "sound"), "spec");
        assertFalse(stillWithout.containsKey("replicas"), stillWithout.toString());
    }

    @Test
    void withAutoscalingButNoCpuRequestTheChartRefusesToRender() {
        for (Map.Entry<String, Object> noRequest : List.of(Map.entry("resources.requests.cpu", (Object) "null"),
                Map.entry("resources.requests.cpu", (Object) ""), Map.entry("resources.requests", (Object) "null"),
                Map.entry("resources", (Object) "null"))) {
            Map<String, Object> values = new HashMap<>(AUTOSCALING);
            values.remove("resources.requests.cpu");
            values.put(noRequest.getKey(), noRequest.getValue());
            IllegalStateException refused = assertThrows(IllegalStateException.class, () -> render(values),
                    noRequest.toString());
            assertTrue(refused.getMessage().contains("autoscaling.enabled needs a CPU request")
                    && refused.getMessage().contains("resources.requests.cpu"), noRequest + ": " + refused.getMessage());
        }
        // Without autoscaling, no CPU request is fine.
        assertEquals(List.of(), autoscalers(render(Map.of("resources.requests.cpu", "null"))));
    }

    // Routes in an abcdesktop installation.

    private static final Map<String, Object> ROUTES = Map.of("abcdesktop.routes.enabled", true,
            "abcdesktop.routes.rtcConfiguration", true);

    /** Paths abcdesktop's page and pyos serve that must never reach rtcsound. */
    private static final List<String> NOT_RTCSOUND = List.of("/API", "/API/", "/API/webrtc",
            "/API/webrtc/coturn_rtcconfiguration/", "/API/webrtc/coturn_rtcconfiguration/x",
            "/API/webrtc/coturn_rtcconfigurationx", "/API/webrtc/rtcconfiguration", "/API/core/getkeyinfo",
            "/API/auth/auth", "/API/composer/launchdesktop", "/API/rtcsound/rtc-configuration", "/api/webrtc/coturn_rtcconfiguration",
            "/signallingx", "/signalling/x", "/websockify", "/", "/index.html",
            "/rtcsound/signalling", "/rtcsound/API/webrtc/coturn_rtcconfiguration");

    /** host:port of the rendered Service's http port, as a pod in another namespace names it. */
    private static String serviceAddress(List<Map<String, Object>> documents) {
        Map<String, Object> service = only(documents, "Service", "sound");
        List<Map<String, Object>> ports = at(service, "spec", "ports");
        Object port = ports.stream().filter(p -> "http".equals(p.get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no http port: " + ports)).get("port");
        return at(service, "metadata", "name") + ".abcdesktop.svc.cluster.local:" + port;
    }

    /** One {@code location = uri { ... }} of the nginx lines: its simple directives, name to argument text. */
    private record Location(String uri, Map<String, String> directives, List<String> headers) {
    }

    /** The nginx lines the chart renders for abcdesktop's nginx. */
    private record NginxRoutes(List<String[]> rewrites, Map<String, Location> locations) {

        private static final Pattern REWRITE = Pattern.compile("^rewrite\\s+(\\S+)\\s+(\\S+)\\s+last;$");
        private static final Pattern LOCATION = Pattern.compile("^location\\s+(.*?)\\s*\\{$");
        private static final Pattern DIRECTIVE = Pattern.compile("^(\\S+)\\s*(.*?);$");

        static NginxRoutes parse(String conf) {
            List<String[]> rewrites = new ArrayList<>();
            Map<String, Location> locations = new LinkedHashMap<>();
            Location current = null;
            for (String raw : conf.split("\n")) {
                String line = raw.strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                Matcher m;
                if (current == null && (m = REWRITE.matcher(line)).matches()) {
                    rewrites.add(new String[] {m.group(1), m.group(2)});
                } else if (current == null && (m = LOCATION.matcher(line)).matches()) {
                    String[] spec = m.group(1).split("\\s+");
                    // Only exact locations: a prefix or regex location would take more paths.
                    assertEquals(2, spec.length, "location " + m.group(1));
                    assertEquals("=", spec[0], "only exact locations: " + m.group(1));
                    current = new Location(spec[1], new LinkedHashMap<>(), new ArrayList<>());
                    locations.put(spec[1], current);
                } else if (current != null && line.equals("}")) {
                    current = null;
                } else if (current != null && (m = DIRECTIVE.matcher(line)).matches()) {
                    if (m.group(1).equals("proxy_set_header")) {
                        current.headers().add(m.group(2).replaceAll("\\s+", " "));
                    } else {
                        assertNull(current.directives().put(m.group(1), m.group(2)), "twice: " + line);
                    }
                } else {
                    throw new AssertionError("an nginx line this test does not know: " + line);
                }
            }
            assertNull(current, "a location is not closed");
            return new NginxRoutes(rewrites, locations);
        }

        /**
         * Where nginx sends an outside request for {@code path} with these lines before route.conf:
         * "host:port/path" (with "?query" when the query goes along) for a proxied location here,
         * or null when the request is left to route.conf (pyos, the desktop, the page) or refused.
         */
        String target(String path) {
            String uri = path;
            boolean rewritten = false;
            for (String[] rewrite : rewrites) {
                if (Pattern.compile(rewrite[0]).matcher(uri).find()) {
                    uri = rewrite[1];
                    rewritten = true;
                    break; // "last"
                }
            }
            Location location = locations.get(uri);
            if (location == null) {
                return null;
            }
            if (location.directives().containsKey("internal") && !rewritten) {
                return null; // 404: internal locations answer rewritten requests only
            }
            String pass = location.directives().get("proxy_pass");
            assertNotNull(pass, "location " + uri + " has no proxy_pass");
            for (Map.Entry<String, String> variable : variables(location).entrySet()) {
                pass = pass.replace("$" + variable.getKey(), variable.getValue());
            }
            assertTrue(pass.startsWith("http://"), pass);
            return pass.substring("http://".length()).replace("$is_args$args", "?query");
        }

        private static Map<String, String> variables(Location location) {
            Map<String, String> variables = new LinkedHashMap<>();
            String set = location.directives().get("set");
            if (set != null) {
                String[] parts = set.split("\\s+", 2);
                assertTrue(parts[0].startsWith("$"), set);
                variables.put(parts[0].substring(1), parts[1]);
            }
            return variables;
        }
    }

    private static NginxRoutes nginxRoutes(List<Map<String, Object>> documents) {
        String conf = at(only(documents, "ConfigMap", "sound-abcdesktop-routes"), "data", "rtcsound-routes.conf");
        assertNotNull(conf, "key rtcsound-routes.conf");
        return NginxRoutes.parse(conf);
    }

    @Test
    void abcdesktopsNginxSendsOnlySignallingAndTheRtcConfigurationToRtcsoundsService() {
        List<Map<String, Object>> documents = render(ROUTES);
        String service = serviceAddress(documents);
        assertEquals("sound.abcdesktop.svc.cluster.local:9080", service);
        NginxRoutes routes = nginxRoutes(documents);
        assertEquals(service + "/signalling?query", routes.target("/signalling"), "the token in ?jwt_token= goes along");
        assertEquals(service + "/API/webrtc/coturn_rtcconfiguration", routes.target("/API/webrtc/coturn_rtcconfiguration"));
        for (String path : NOT_RTCSOUND) {
            assertNull(routes.target(path), path + " must stay with abcdesktop");
        }
        // Not only the samples: the rewrites are the only way in, and they match these two URIs alone.
        assertEquals(Set.of("^/signalling$", "^/API/webrtc/coturn_rtcconfiguration$"),
                routes.rewrites().stream().map(r -> r[0]).collect(Collectors.toSet()));
        for (Location location : routes.locations().values()) {
            assertTrue(location.directives().containsKey("internal"), location.uri() + " must be internal");
        }
    }

    @Test
    void abcdesktopsNginxUpgradesTheWebSocketAndKeepsItAsLongAsTheIngressDoes() {
        List<Map<String, Object>> documents = render(ROUTES);
        Location signalling = nginxRoutes(documents).locations().get("/rtcsound/signalling");
        assertNotNull(signalling, "the signalling location");
        assertEquals("1.1", signalling.directives().get("proxy_http_version"));
        assertTrue(signalling.headers().contains("Upgrade $http_upgrade"), signalling.headers().toString());
        assertTrue(signalling.headers().contains("Connection \"upgrade\""), signalling.headers().toString());
        assertTrue(signalling.headers().contains("X-Forwarded-Proto $http_x_forwarded_proto"), signalling.headers().toString());
        Map<String, Object> ingress = only(documents, "Ingress", "sound");
        assertEquals(at(ingress, "metadata", "annotations", "nginx.ingress.kubernetes.io/proxy-read-timeout") + "s",
                signalling.directives().get("proxy_read_timeout"));
        assertEquals(at(ingress, "metadata", "annotations", "nginx.ingress.kubernetes.io/proxy-send-timeout") + "s",
                signalling.directives().get("proxy_send_timeout"));
        assertEquals("3600s", signalling.directives().get("proxy_read_timeout"));
        Location rtcConfiguration = nginxRoutes(documents).locations().get("/rtcsound/API/webrtc/coturn_rtcconfiguration");
        assertTrue(rtcConfiguration.headers().contains("X-Forwarded-Proto $http_x_forwarded_proto"),
                rtcConfiguration.headers().toString());
        // Behind abcdesktop's nginx, TLS ends before rtcsound: it must trust X-Forwarded-Proto even without its Ingress.
        Map<String, Object> withoutIngress = new LinkedHashMap<>(ROUTES);
        withoutIngress.put("ingress.enabled", false);
        List<Map<String, Object>> env = at(only(render(withoutIngress), "Deployment", "sound"), "spec", "template",
                "spec", "containers", 0, "env");
        assertTrue(env.contains(Map.of("name", "RTCSOUND_SECURITY_TRUST_FORWARDED_PROTO", "value", "true")), env.toString());
    }

    @Test
    void withoutTheRtcConfigurationRouteNoApiPathReachesRtcsound() {
        List<Map<String, Object>> documents = render(Map.of("abcdesktop.routes.enabled", true));
        NginxRoutes routes = nginxRoutes(documents);
        assertEquals(serviceAddress(documents) + "/signalling?query", routes.target("/signalling"));
        assertNull(routes.target("/API/webrtc/coturn_rtcconfiguration"));
        assertEquals(List.of("^/signalling$"), routes.rewrites().stream().map(r -> r[0]).toList());
        for (Map<String, Object> path : ingressPaths(documents)) {
            if (((String) path.get("path")).startsWith("/API")) {
                throw new AssertionError("an /API path in the Ingress: " + path);
            }
        }
    }

    private static List<Map<String, Object>> ingressPaths(List<Map<String, Object>> documents) {
        return at(only(documents, "Ingress", "sound"), "spec", "rules", 0, "http", "paths");
    }

    /** The backend "service:port" an Ingress controller picks for a path: Exact first, then the longest Prefix. */
    private static String ingressBackend(List<Map<String, Object>> paths, String request) {
        Map<String, Object> best = null;
        for (Map<String, Object> candidate : paths) {
            String path = (String) candidate.get("path");
            String type = (String) candidate.get("pathType");
            boolean matches = switch (type) {
                case "Exact" -> request.equals(path);
                case "Prefix" -> path.equals("/") || request.equals(path) || request.startsWith(path + "/");
                default -> throw new AssertionError("pathType " + type);
            };
            if (!matches) {
                continue;
            }
            if (best == null || "Exact".equals(type)
                    || (!"Exact".equals(best.get("pathType")) && path.length() > ((String) best.get("path")).length())) {
                best = candidate;
            }
        }
        if (best == null) {
            return null;
        }
        Map<String, Object> port = at(best, "backend", "service", "port");
        return at(best, "backend", "service", "name") + ":" + (port.containsKey("name") ? port.get("name") : port.get("number"));
    }

    @Test
    void inAbcdesktopsHostTheIngressSendsOnlyRtcsoundsRoutesToIt() {
        List<Map<String, Object>> documents = render(ROUTES);
        List<Map<String, Object>> paths = ingressPaths(documents);
        // The backend port is the rendered Service's http port, by name.
        Map<String, Object> service = only(documents, "Service", "sound");
        List<Map<String, Object>> servicePorts = at(service, "spec", "ports");
        assertTrue(servicePorts.stream().anyMatch(p -> "http".equals(p.get("name"))), servicePorts.toString());
        String rtcsound = at(service, "metadata", "name") + ":http";
        assertEquals(List.of(List.of("/signalling", "Prefix"), List.of("/API/webrtc/coturn_rtcconfiguration", "Exact")),
                paths.stream().filter(p -> rtcsound.equals(ingressBackend(List.of(p), (String) p.get("path"))))
                        .map(p -> List.of(p.get("path"), p.get("pathType"))).toList());
        assertEquals(rtcsound, ingressBackend(paths, "/signalling"));
        assertEquals(rtcsound, ingressBackend(paths, "/API/webrtc/coturn_rtcconfiguration"));
        for (String path : NOT_RTCSOUND) {
            if (!path.startsWith("/signalling/")) { // Prefix /signalling takes /signalling/x: rtcsound answers 404
                assertEquals("nginx:80", ingressBackend(paths, path), path + " must go to abcdesktop's nginx");
            }
        }
        Map<String, Object> annotations = at(only(documents, "Ingress", "sound"), "metadata", "annotations");
        assertEquals("3600", annotations.get("nginx.ingress.kubernetes.io/proxy-read-timeout"));
        assertEquals("3600", annotations.get("nginx.ingress.kubernetes.io/proxy-send-timeout"));
    }

    @Test
    void withoutAbcdesktopRoutesTheChartRendersWhatItDidBefore() {
        List<Map<String, Object>> documents = render();
        assertTrue(documents.stream().noneMatch(d -> "sound-abcdesktop-routes".equals(at(d, "metadata", "name"))));
        List<Map<String, Object>> paths = ingressPaths(documents);
        assertEquals(List.of("/signalling", "/API", "/"), paths.stream().map(p -> p.get("path")).toList());
        for (String path : List.of("/signalling", "/API/webrtc/coturn_rtcconfiguration", "/API/core/getkeyinfo", "/")) {
            assertEquals("sound:http", ingressBackend(paths, path), path);
        }
    }
}
