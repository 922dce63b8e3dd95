package org.rtcsound.kubernetes;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import com.google.gson.reflect.TypeToken;

import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodList;
import io.kubernetes.client.util.Watch;

import org.eclipse.microprofile.config.Config;

/**
 * The running desktop pods, by user, kept up to date by a watch of the Kubernetes API:
 * on when {@code rtcsound.desktops.source=kubernetes}. A desktop pod is one matching
 * {@code rtcsound.desktops.selector} (default {@code type=x11server}, as abcdesktop labels
 * them) in {@code rtcsound.desktops.namespace} (default {@code abcdesktop}); its user is
 * its label {@code rtcsound.desktops.user-label} (default {@code access_userid}); its
 * address is its pod IP, while it is Running. A watch that drops is opened again after a
 * fresh list ({@link WatchLoop}).
 */
@ApplicationScoped
public class DesktopPods {

    public static final String SOURCE = "rtcsound.desktops.source";
    public static final String NAMESPACE = "rtcsound.desktops.namespace";
    public static final String SELECTOR = "rtcsound.desktops.selector";
    public static final String USER_LABEL = "rtcsound.desktops.user-label";

    @Inject
    Config config;

    @Resource(lookup = "java:comp/DefaultManagedThreadFactory")
    ManagedThreadFactory threads;

    private final Map<String, String> addressByUser = new ConcurrentHashMap<>();
    private WatchLoop<V1Pod> loop;

    void onStart(@Observes @Initialized(ApplicationScoped.class) Object application) {
        if (!enabled()) {
            return;
        }
        String namespace = config.getOptionalValue(NAMESPACE, String.class).orElse("abcdesktop");
        String selector = config.getOptionalValue(SELECTOR, String.class).orElse("type=x11server");
        String userLabel = config.getOptionalValue(USER_LABEL, String.class).orElse("access_userid");
        loop = new WatchLoop<>("desktop pods " + namespace + " " + selector, () -> {
            CoreV1Api api = new CoreV1Api(KubernetesClients.create(
                    config.getOptionalValue(KubernetesClients.KUBECONFIG, String.class)));
            V1PodList pods = api.listNamespacedPod(namespace).labelSelector(selector).execute();
            addressByUser.clear();
            pods.getItems().forEach(pod -> apply("ADDED", pod, userLabel));
            return Watch.createWatch(api.getApiClient(),
                    api.listNamespacedPod(namespace).labelSelector(selector).watch(true)
                            .resourceVersion(pods.getMetadata().getResourceVersion()).buildCall(null),
                    new TypeToken<Watch.Response<V1Pod>>() { }.getType());
        }, (type, pod) -> apply(type, pod, userLabel));
        loop.start(threads, "rtcsound-desktop-pods-watch");
    }

    public boolean enabled() {
        return "kubernetes".equals(config.getOptionalValue(SOURCE, String.class).orElse("static"));
    }

    /** The pod IP of the user's running desktop. */
    public Optional<String> address(String userId) {
        return Optional.ofNullable(addressByUser.get(userId));
    }

    /** Every known desktop, for the admin view. */
    public Map<String, String> all() {
        return Map.copyOf(addressByUser);
    }

    private void apply(String type, V1Pod pod, String userLabel) {
        if (pod == null || pod.getMetadata() == null || pod.getMetadata().getLabels() == null) {
            return;
        }
        String user = pod.getMetadata().getLabels().get(userLabel);
        if (user == null) {
            return;
        }
        String ip = pod.getStatus() == null ? null : pod.getStatus().getPodIP();
        boolean runningPod = pod.getStatus() != null && "Running".equals(pod.getStatus().getPhase());
        if ("DELETED".equals(type) || ip == null || !runningPod) {
            addressByUser.remove(user);
        } else {
            addressByUser.put(user, ip);
        }
    }

    @PreDestroy
    void stop() {
        if (loop != null) {
            loop.stop();
        }
    }
}
