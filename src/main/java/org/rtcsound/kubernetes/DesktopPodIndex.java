package org.rtcsound.kubernetes;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;

import org.rtcsound.kubernetes.DesktopPods.DesktopPod;

/**
 * The desktop pods a watch has reported, by pod, and each user's desktop derived from them:
 * their newest pod that is Running, not terminating and has an IP.
 *
 * <p>Keyed by pod and not by user because one user's pods overlap: after a log-out and
 * log-in, the old pod's last events (terminating, Succeeded, DELETED) can arrive after the
 * new pod runs, and must not take the new pod's place. Immutable: every event gives a new
 * index, so a reader sees one whole state, and a re-list replaces the whole index at once.
 */
final class DesktopPodIndex {

    /** abcdesktop (pyos) sets it in the desktop container's environment: 32 hex characters. */
    static final String COOKIE_ENV = "PULSEAUDIO_COOKIE";
    /** Where older pyos versions put the same cookie. */
    static final String COOKIE_LABEL = "pulseaudio_cookie";

    /** What one pod says; desktop is null while the pod cannot serve (not running, terminating, no IP). */
    private record Seen(String user, String name, Instant created, DesktopPod desktop) {
    }

    /** Newest first by creation time; a tie (Kubernetes has whole seconds) goes to the greater name. */
    private static final Comparator<Seen> NEWEST = Comparator
            .comparing(Seen::created, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparing(Seen::name);

    private final String userLabel;
    private final Map<String, Seen> pods;
    private final Map<String, DesktopPod> desktops;
    private final Map<String, String> addresses;

    private DesktopPodIndex(String userLabel, Map<String, Seen> pods) {
        this.userLabel = userLabel;
        this.pods = Map.copyOf(pods);
        Map<String, Seen> newest = new HashMap<>();
        pods.values().stream().filter(seen -> seen.user() != null && seen.desktop() != null)
                .forEach(seen -> newest.merge(seen.user(), seen, (a, b) -> NEWEST.compare(a, b) >= 0 ? a : b));
        Map<String, DesktopPod> desktops = new HashMap<>();
        Map<String, String> addresses = new HashMap<>();
        newest.forEach((user, seen) -> {
            desktops.put(user, seen.desktop());
            addresses.put(user, seen.desktop().address());
        });
        this.desktops = Map.copyOf(desktops);
        this.addresses = Map.copyOf(addresses);
    }

    /** The index of a complete list of pods; the user of a pod is its label {@code userLabel}. */
    static DesktopPodIndex listed(String userLabel, Collection<V1Pod> list) {
        Map<String, Seen> pods = new HashMap<>();
        for (V1Pod pod : list) {
            String key = key(pod);
            if (key != null) {
                pods.put(key, seen(pod, userLabel));
            }
        }
        return new DesktopPodIndex(userLabel, pods);
    }

    /** This index after a watch event (ADDED, MODIFIED, DELETED; any other type changes nothing). */
    DesktopPodIndex with(String type, V1Pod pod) {
        String key = pod == null ? null : key(pod);
        if (key == null || !List.of("ADDED", "MODIFIED", "DELETED").contains(type)) {
            return this;
        }
        Map<String, Seen> next = new HashMap<>(pods);
        if ("DELETED".equals(type)) {
            next.remove(key);
        } else {
            next.put(key, seen(pod, userLabel));
        }
        return new DesktopPodIndex(userLabel, next);
    }

    Optional<DesktopPod> desktop(String user) {
        return Optional.ofNullable(desktops.get(user));
    }

    /** The serving pod at an address (an abcdesktop token names its desktop by pod IP). */
    Optional<DesktopPod> at(String address) {
        return pods.values().stream().map(Seen::desktop)
                .filter(desktop -> desktop != null && desktop.address().equals(address)).findFirst();
    }

    /** User to pod IP. */
    Map<String, String> addresses() {
        return addresses;
    }

    /** How many pods are known, serving or not. */
    int pods() {
        return pods.size();
    }

    /** A pod's identity: its uid, else namespace/name (null when it has neither). */
    private static String key(V1Pod pod) {
        V1ObjectMeta metadata = pod.getMetadata();
        if (metadata == null) {
            return null;
        }
        if (metadata.getUid() != null && !metadata.getUid().isEmpty()) {
            return metadata.getUid();
        }
        return metadata.getName() == null ? null : metadata.getNamespace() + "/" + metadata.getName();
    }

    private static Seen seen(V1Pod pod, String userLabel) {
        V1ObjectMeta metadata = pod.getMetadata();
        Map<String, String> labels = metadata.getLabels() == null ? Map.of() : metadata.getLabels();
        String ip = pod.getStatus() == null ? null : pod.getStatus().getPodIP();
        boolean serving = pod.getStatus() != null && "Running".equals(pod.getStatus().getPhase())
                && metadata.getDeletionTimestamp() == null && ip != null && !ip.isEmpty();
        String name = metadata.getName() == null ? "" : metadata.getName();
        OffsetDateTime created = metadata.getCreationTimestamp();
        return new Seen(labels.get(userLabel), name, created == null ? null : created.toInstant(),
                serving ? new DesktopPod(name, ip, pulseCookie(pod, labels)) : null);
    }

    /**
     * The container environment's literal value first (the first container that sets one),
     * else the older label; null when neither. A value taken from a Secret or ConfigMap
     * ({@code valueFrom}) is not read: that would need rights rtcsound does not have.
     */
    private static String pulseCookie(V1Pod pod, Map<String, String> labels) {
        List<V1Container> containers = pod.getSpec() == null ? null : pod.getSpec().getContainers();
        for (V1Container container : containers == null ? List.<V1Container>of() : containers) {
            for (V1EnvVar env : container.getEnv() == null ? List.<V1EnvVar>of() : container.getEnv()) {
                if (COOKIE_ENV.equals(env.getName()) && env.getValue() != null && !env.getValue().isBlank()) {
                    return env.getValue();
                }
            }
        }
        String label = labels.get(COOKIE_LABEL);
        return label == null || label.isBlank() ? null : label;
    }
}
