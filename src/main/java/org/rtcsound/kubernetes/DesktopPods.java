package org.rtcsound.kubernetes;

import java.util.List;
import java.util.Map;
import java.util.Optional;

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
import org.rtcsound.config.Setting;

/**
 * The running desktop pods, by user, kept up to date by a watch of the Kubernetes API:
 * on when {@code rtcsound.desktops.source=kubernetes}. A desktop pod is one matching
 * {@code rtcsound.desktops.selector} (default {@code type=x11server}, as abcdesktop labels
 * them) in {@code rtcsound.desktops.namespace} (default {@code abcdesktop}); its user is
 * its label {@code rtcsound.desktops.user-label} (default {@code access_userid}); its
 * desktop is its newest pod that is Running, not terminating and has a pod IP
 * ({@link DesktopPodIndex}). A watch that drops is opened again after a fresh list
 * ({@link WatchLoop}), which replaces the whole index at once: no user is without a
 * desktop while it is read again.
 */
@ApplicationScoped
public class DesktopPods {

    public static final String SOURCE = Setting.DESKTOPS_SOURCE.key();
    public static final String NAMESPACE = Setting.DESKTOPS_NAMESPACE.key();
    public static final String SELECTOR = Setting.DESKTOPS_SELECTOR.key();
    public static final String USER_LABEL = Setting.DESKTOPS_USER_LABEL.key();

    @Inject
    Config config;

    @Resource(lookup = "java:comp/DefaultManagedThreadFactory")
    ManagedThreadFactory threads;

    /** A running desktop pod as rtcsound needs it. pulseCookie is null when the pod has none. */
    public record DesktopPod(String name, String address, String pulseCookie) {
        /** Name and address only: the cookie is a secret and never printed. */
        @Override
        public String toString() {
            return "DesktopPod[name=" + name + ", address=" + address + "]";
        }
    }

    /** Empty until the first list; then replaced whole at each event and re-list, by the watch thread only. */
    private volatile DesktopPodIndex index = DesktopPodIndex.listed("access_userid", List.of());
    private WatchLoop<V1Pod> loop;

    void onStart(@Observes @Initialized(ApplicationScoped.class) Object application) {
        if (!enabled()) {
            return;
        }
        String namespace = Setting.DESKTOPS_NAMESPACE.read(config);
        String selector = Setting.DESKTOPS_SELECTOR.read(config);
        String userLabel = Setting.DESKTOPS_USER_LABEL.read(config);
        loop = new WatchLoop<>("desktop pods " + namespace + " " + selector, () -> {
            CoreV1Api api = new CoreV1Api(KubernetesClients.create(
                    config.getOptionalValue(KubernetesClients.KUBECONFIG, String.class)));
            V1PodList pods = api.listNamespacedPod(namespace).labelSelector(selector).execute();
            index = DesktopPodIndex.listed(userLabel, pods.getItems());
            return Watch.createWatch(api.getApiClient(),
                    api.listNamespacedPod(namespace).labelSelector(selector).watch(true)
                            .resourceVersion(pods.getMetadata().getResourceVersion()).buildCall(null),
                    new TypeToken<Watch.Response<V1Pod>>() { }.getType());
        }, (type, pod) -> index = index.with(type, pod));
        loop.start(threads, "rtcsound-desktop-pods-watch");
    }

    public boolean enabled() {
        return "kubernetes".equals(Setting.DESKTOPS_SOURCE.read(config));
    }

    /** The user's desktop: their newest running pod. */
    public Optional<DesktopPod> desktop(String userId) {
        return index.desktop(userId);
    }

    /** The running desktop pod at a pod IP, whoever its user. */
    public Optional<DesktopPod> at(String address) {
        return index.at(address);
    }

    /** Every user's desktop pod IP, for the admin view (never a cookie). */
    public Map<String, String> all() {
        return index.addresses();
    }

    @PreDestroy
    void stop() {
        if (loop != null) {
            loop.stop();
        }
    }
}
