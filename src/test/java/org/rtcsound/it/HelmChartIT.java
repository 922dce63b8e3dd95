package org.rtcsound.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.rtcsound.config.OdConfigReader;
import org.rtcsound.testing.Suite;
import org.yaml.snakeyaml.Yaml;

/**
 * The Helm chart, linted and rendered for real by Helm's own library (no helm binary runs
 * here), and its manifests checked: required fields, RBAC verbs exactly as rtcsound needs
 * them, probe paths the built server really answers, the od.config ConfigMap key.
 */
@ExtendWith(Suite.class)
class HelmChartIT {

    private static final Path CHART = Path.of("helm/rtcsound");

    private final Suite.Parts parts;

    HelmChartIT(Suite.Parts parts) {
        this.parts = parts;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> render() {
        String rendered = new Helm(CHART).template().withName("sound").withNamespace("abcdesktop")
                .set("coturn.enabled", true).set("odConfig.create", true).call();
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
}
