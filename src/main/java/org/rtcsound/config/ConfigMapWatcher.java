package org.rtcsound.config;

import java.nio.charset.StandardCharsets;
import java.util.logging.Logger;

import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import com.google.gson.reflect.TypeToken;

import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.util.Watch;

import org.eclipse.microprofile.config.Config;
import org.rtcsound.kubernetes.KubernetesClients;
import org.rtcsound.kubernetes.WatchLoop;

/**
 * Reads od.config from its ConfigMap through the Kubernetes API and watches it, so that
 * a {@code kubectl replace} is in force at once (a ConfigMap mounted as a file reaches the
 * pod only after the kubelet's sync delay, often a minute). On when
 * {@code rtcsound.odconfig.source=configmap} and no {@code rtcsound.odconfig.file} is set.
 */
@ApplicationScoped
public class ConfigMapWatcher {

    private static final Logger LOG = Logger.getLogger(ConfigMapWatcher.class.getName());

    public static final String SOURCE = "rtcsound.odconfig.source";
    public static final String NAMESPACE = "rtcsound.odconfig.configmap.namespace";
    public static final String NAME = "rtcsound.odconfig.configmap.name";
    public static final String KEY = "rtcsound.odconfig.configmap.key";

    @Inject
    Config config;

    @Resource(lookup = "java:comp/DefaultManagedThreadFactory")
    ManagedThreadFactory threads;

    private WatchLoop<V1ConfigMap> loop;

    void onStart(@Observes @Initialized(ApplicationScoped.class) Object application) {
        boolean wanted = "configmap".equals(config.getOptionalValue(SOURCE, String.class).orElse("file"));
        if (!wanted || OdConfigStore.file() != null) {
            return;
        }
        String namespace = config.getOptionalValue(NAMESPACE, String.class).orElse("abcdesktop");
        String name = config.getOptionalValue(NAME, String.class).orElse("abcdesktop-config");
        String key = config.getOptionalValue(KEY, String.class).orElse("od.config");
        String source = "configmap " + namespace + "/" + name + " key " + key;
        loop = new WatchLoop<>(source, () -> {
            CoreV1Api api = new CoreV1Api(KubernetesClients.create(
                    config.getOptionalValue(KubernetesClients.KUBECONFIG, String.class)));
            V1ConfigMap current = api.readNamespacedConfigMap(name, namespace).execute();
            apply(source, key, current);
            return Watch.createWatch(api.getApiClient(),
                    api.listNamespacedConfigMap(namespace).fieldSelector("metadata.name=" + name).watch(true)
                            .resourceVersion(current.getMetadata().getResourceVersion()).buildCall(null),
                    new TypeToken<Watch.Response<V1ConfigMap>>() { }.getType());
        }, (type, configMap) -> {
            if ("DELETED".equals(type)) {
                LOG.warning(source + " was deleted; the last good od.config stays in force");
            } else {
                apply(source, key, configMap);
            }
        });
        loop.start(threads, "rtcsound-configmap-watch");
    }

    private static void apply(String source, String key, V1ConfigMap configMap) {
        String text = configMap.getData() == null ? null : configMap.getData().get(key);
        if (text == null) {
            LOG.warning(source + " has no key " + key + "; the last good od.config stays in force");
            return;
        }
        OdConfigStore.offer(source, text.getBytes(StandardCharsets.UTF_8));
    }

    @PreDestroy
    void stop() {
        if (loop != null) {
            loop.stop();
        }
    }
}
