package org.rtcsound.config;

import java.nio.charset.StandardCharsets;
import java.util.logging.Level;
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

/**
 * Reads od.config from its ConfigMap through the Kubernetes API and watches it, so that
 * a {@code kubectl replace} is in force at once (a ConfigMap mounted as a file reaches the
 * pod only after the kubelet's sync delay, often a minute). On when
 * {@code rtcsound.odconfig.source=configmap} and no {@code rtcsound.odconfig.file} is set.
 * A lost watch is opened again (after reading the ConfigMap afresh), with a growing pause.
 */
@ApplicationScoped
public class ConfigMapWatcher {

    private static final Logger LOG = Logger.getLogger(ConfigMapWatcher.class.getName());

    public static final String SOURCE = "rtcsound.odconfig.source";
    public static final String NAMESPACE = "rtcsound.odconfig.configmap.namespace";
    public static final String NAME = "rtcsound.odconfig.configmap.name";
    public static final String KEY = "rtcsound.odconfig.configmap.key";
    public static final String KUBECONFIG = KubernetesClients.KUBECONFIG;

    @Inject
    Config config;

    @Resource(lookup = "java:comp/DefaultManagedThreadFactory")
    ManagedThreadFactory threads;

    private volatile boolean running;
    private volatile Watch<V1ConfigMap> watch;
    private Thread thread;

    void onStart(@Observes @Initialized(ApplicationScoped.class) Object application) {
        boolean wanted = "configmap".equals(config.getOptionalValue(SOURCE, String.class).orElse("file"));
        if (!wanted || OdConfigStore.file() != null) {
            return;
        }
        running = true;
        thread = threads.newThread(this::run);
        thread.setName("rtcsound-configmap-watch");
        thread.start();
    }

    private void run() {
        String namespace = config.getOptionalValue(NAMESPACE, String.class).orElse("abcdesktop");
        String name = config.getOptionalValue(NAME, String.class).orElse("abcdesktop-config");
        String key = config.getOptionalValue(KEY, String.class).orElse("od.config");
        String source = "configmap " + namespace + "/" + name + " key " + key;
        long pause = 500;
        while (running) {
            try {
                CoreV1Api api = new CoreV1Api(KubernetesClients.create(config.getOptionalValue(KUBECONFIG, String.class)));
                V1ConfigMap current = api.readNamespacedConfigMap(name, namespace).execute();
                apply(source, key, current);
                watch = Watch.createWatch(api.getApiClient(),
                        api.listNamespacedConfigMap(namespace).fieldSelector("metadata.name=" + name).watch(true)
                                .resourceVersion(current.getMetadata().getResourceVersion()).buildCall(null),
                        new TypeToken<Watch.Response<V1ConfigMap>>() { }.getType());
                pause = 500;
                for (Watch.Response<V1ConfigMap> event : watch) {
                    if ("DELETED".equals(event.type)) {
                        LOG.warning(source + " was deleted; the last good od.config stays in force");
                    } else if ("ADDED".equals(event.type) || "MODIFIED".equals(event.type)) {
                        apply(source, key, event.object);
                    }
                }
                LOG.info(() -> "the watch of " + source + " ended; watching again");
            } catch (Exception e) {
                if (running) {
                    LOG.log(Level.WARNING, "watching " + source + " failed (" + e + "); trying again in " + pause
                            + " ms");
                }
            } finally {
                closeWatch();
            }
            sleep(pause);
            pause = Math.min(pause * 2, 10_000);
        }
    }

    private static void apply(String source, String key, V1ConfigMap configMap) {
        String text = configMap.getData() == null ? null : configMap.getData().get(key);
        if (text == null) {
            LOG.warning(source + " has no key " + key + "; the last good od.config stays in force");
            return;
        }
        OdConfigStore.offer(source, text.getBytes(StandardCharsets.UTF_8));
    }

    private void closeWatch() {
        Watch<V1ConfigMap> open = watch;
        watch = null;
        if (open != null) {
            try {
                open.close();
            } catch (Exception e) {
                LOG.log(Level.FINE, "closing the watch", e);
            }
        }
    }

    private void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    @PreDestroy
    void stop() {
        running = false;
        closeWatch();
        if (thread != null) {
            thread.interrupt();
        }
    }
}
