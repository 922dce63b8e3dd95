package org.rtcsound.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1EnvVarSource;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodStatus;
import io.kubernetes.client.openapi.models.V1SecretKeySelector;

import org.junit.jupiter.api.Test;
import org.rtcsound.kubernetes.DesktopPods.DesktopPod;

/**
 * Each user's desktop as pods come, change and go in the orders a watch can report them
 * (a log-out and log-in overlaps the old pod and the new one), and across a re-list.
 */
class DesktopPodIndexTest {

    private static final OffsetDateTime T0 = OffsetDateTime.of(2025, 3, 1, 9, 0, 0, 0, ZoneOffset.UTC);
    private static final String COOKIE = "0123456789abcdef0123456789abcdef";

    /** A desktop pod of user, created at T0 plus the given seconds. */
    private static V1Pod pod(String name, String user, String ip, String phase, int createdAfter) {
        Map<String, String> labels = new HashMap<>(Map.of("type", "x11server", "access_userid", user));
        return new V1Pod()
                .metadata(new V1ObjectMeta().name(name).namespace("abcdesktop").uid("uid-" + name)
                        .labels(labels).creationTimestamp(T0.plusSeconds(createdAfter)))
                .spec(new V1PodSpec().containers(List.of(new V1Container().name("x11server"))))
                .status(new V1PodStatus().phase(phase).podIP(ip));
    }

    private static V1Pod running(String name, String user, String ip, int createdAfter) {
        return pod(name, user, ip, "Running", createdAfter);
    }

    private static Optional<String> address(DesktopPodIndex index, String user) {
        return index.desktop(user).map(DesktopPod::address);
    }

    private static DesktopPodIndex empty() {
        return DesktopPodIndex.listed("access_userid", List.of());
    }

    @Test
    void theNewPodAddedBeforeTheOldOneIsDeletedTakesOverWithoutAGap() {
        V1Pod old = running("dora-1", "dora", "10.0.0.1", 0);
        V1Pod young = running("dora-2", "dora", "10.0.0.2", 60);
        DesktopPodIndex index = empty().with("ADDED", old);
        assertEquals(Optional.of("10.0.0.1"), address(index, "dora"));
        index = index.with("ADDED", young);
        assertEquals(Optional.of("10.0.0.2"), address(index, "dora"));
        index = index.with("DELETED", old);
        assertEquals(Optional.of("10.0.0.2"), address(index, "dora"), "the old pod's DELETED took the new pod's place");
        assertEquals(Map.of("dora", "10.0.0.2"), index.addresses());
    }

    @Test
    void theOldPodDeletedBeforeTheNewOneIsAddedLeavesNoDesktopUntilThen() {
        V1Pod old = running("dora-1", "dora", "10.0.0.1", 0);
        DesktopPodIndex index = empty().with("ADDED", old).with("DELETED", old);
        assertEquals(Optional.empty(), address(index, "dora"));
        assertEquals(0, index.pods());
        index = index.with("ADDED", pod("dora-2", "dora", "10.0.0.2", "Pending", 60));
        assertEquals(Optional.empty(), address(index, "dora"), "a pending pod is nobody's desktop");
        index = index.with("MODIFIED", running("dora-2", "dora", "10.0.0.2", 60));
        assertEquals(Optional.of("10.0.0.2"), address(index, "dora"));
    }

    @Test
    void theOldPodEndingOrTerminatingWhileTheNewOneRunsChangesNothing() {
        V1Pod old = running("dora-1", "dora", "10.0.0.1", 0);
        DesktopPodIndex start = empty().with("ADDED", old).with("ADDED", running("dora-2", "dora", "10.0.0.2", 60));
        for (String phase : List.of("Succeeded", "Failed")) {
            DesktopPodIndex index = start.with("MODIFIED", pod("dora-1", "dora", "10.0.0.1", phase, 0));
            assertEquals(Optional.of("10.0.0.2"), address(index, "dora"), phase);
        }
        V1Pod terminating = running("dora-1", "dora", "10.0.0.1", 0);
        terminating.getMetadata().deletionTimestamp(T0.plusSeconds(90));
        assertEquals(Optional.of("10.0.0.2"), address(start.with("MODIFIED", terminating), "dora"));
    }

    @Test
    void aTerminatingOrEndedPodIsNoDesktopEvenWhenItIsTheOnlyOne() {
        V1Pod terminating = running("dora-1", "dora", "10.0.0.1", 0);
        terminating.getMetadata().deletionTimestamp(T0.plusSeconds(90));
        assertEquals(Optional.empty(), address(empty().with("MODIFIED", terminating), "dora"));
        assertEquals(Optional.empty(), address(empty().with("ADDED", pod("dora-1", "dora", "10.0.0.1", "Failed", 0)), "dora"));
        assertEquals(Optional.empty(), address(empty().with("ADDED", running("dora-1", "dora", null, 0)), "dora"),
                "a running pod without an IP yet");
    }

    @Test
    void ofTwoRunningPodsTheNewestWinsAndTheOlderIsTheAnswerAgainWhenTheNewestGoes() {
        V1Pod older = running("dora-1", "dora", "10.0.0.1", 0);
        V1Pod newer = running("dora-2", "dora", "10.0.0.2", 60);
        DesktopPodIndex index = empty().with("ADDED", newer).with("ADDED", older);
        assertEquals(Optional.of("10.0.0.2"), address(index, "dora"), "arrival order does not matter");
        assertEquals(Optional.of("10.0.0.1"), address(index.with("DELETED", newer), "dora"));
        assertEquals(Optional.of("10.0.0.1"),
                address(index.with("MODIFIED", pod("dora-2", "dora", "10.0.0.2", "Failed", 60)), "dora"));
    }

    @Test
    void podsCreatedInTheSameSecondAreOrderedByName() {
        V1Pod a = running("dora-a", "dora", "10.0.0.1", 0);
        V1Pod b = running("dora-b", "dora", "10.0.0.2", 0);
        assertEquals(Optional.of("10.0.0.2"), address(empty().with("ADDED", a).with("ADDED", b), "dora"));
        assertEquals(Optional.of("10.0.0.2"), address(empty().with("ADDED", b).with("ADDED", a), "dora"));
    }

    @Test
    void aPodIsKnownByItsUidSoARecreatedNameIsAnotherPod() {
        V1Pod first = running("dora", "dora", "10.0.0.1", 0);
        V1Pod second = running("dora", "dora", "10.0.0.2", 60);
        second.getMetadata().uid("uid-dora-again");
        DesktopPodIndex index = empty().with("ADDED", first).with("ADDED", second).with("DELETED", first);
        assertEquals(Optional.of("10.0.0.2"), address(index, "dora"));
        V1Pod noUid = running("otto-x11", "otto", "10.0.0.3", 0);
        noUid.getMetadata().uid(null);
        index = index.with("ADDED", noUid);
        assertEquals(Optional.of("10.0.0.3"), address(index, "otto"), "namespace/name without a uid");
        assertEquals(Optional.empty(), address(index.with("DELETED", noUid), "otto"));
    }

    @Test
    void aPodThatLosesItsUserLabelIsNoLongerThatUsersDesktop() {
        V1Pod pod = running("dora-1", "dora", "10.0.0.1", 0);
        DesktopPodIndex index = empty().with("ADDED", pod);
        pod.getMetadata().getLabels().remove("access_userid");
        assertEquals(Optional.empty(), address(index.with("MODIFIED", pod), "dora"));
    }

    @Test
    void otherEventTypesChangeNothing() {
        DesktopPodIndex index = empty().with("ADDED", running("dora-1", "dora", "10.0.0.1", 0));
        assertEquals(index, index.with("BOOKMARK", new V1Pod().metadata(new V1ObjectMeta().resourceVersion("7"))));
        assertEquals(index, index.with("ERROR", null));
        assertEquals(index, index.with("ADDED", new V1Pod()));
    }

    @Test
    void aReListReplacesTheWholeIndex() {
        DesktopPodIndex before = empty()
                .with("ADDED", running("dora-1", "dora", "10.0.0.1", 0))
                .with("ADDED", running("otto-1", "otto", "10.0.0.3", 0))
                .with("ADDED", running("nina-1", "nina", "10.0.0.4", 0));
        DesktopPodIndex after = DesktopPodIndex.listed("access_userid", List.of(
                running("dora-1", "dora", "10.0.0.1", 0),
                running("otto-2", "otto", "10.0.0.5", 60),
                running("paul-1", "paul", "10.0.0.6", 0)));
        assertEquals(Map.of("dora", "10.0.0.1", "otto", "10.0.0.3", "nina", "10.0.0.4"), before.addresses(),
                "the index read before the re-list is untouched by it");
        assertEquals(Map.of("dora", "10.0.0.1", "otto", "10.0.0.5", "paul", "10.0.0.6"), after.addresses());
        assertEquals(3, after.pods(), "otto-1 and nina-1, missing from the list, are gone");
        assertEquals(Optional.of("10.0.0.5"), address(after.with("DELETED", running("otto-1", "otto", "10.0.0.3", 0)), "otto"));
    }

    @Test
    void theCookieComesFromTheEnvironmentFirst() {
        V1Pod pod = running("dora-1", "dora", "10.0.0.1", 0);
        pod.getMetadata().getLabels().put(DesktopPodIndex.COOKIE_LABEL, "ffffffffffffffffffffffffffffffff");
        pod.getSpec().containers(List.of(
                new V1Container().name("init-like").env(List.of(new V1EnvVar().name("DISPLAY").value(":0"))),
                new V1Container().name("x11server").env(List.of(new V1EnvVar().name("PULSEAUDIO_COOKIE").value(COOKIE))),
                new V1Container().name("printer").env(List.of(new V1EnvVar().name("PULSEAUDIO_COOKIE").value("other")))));
        assertEquals(COOKIE, empty().with("ADDED", pod).desktop("dora").orElseThrow().pulseCookie());
    }

    @Test
    void theCookieComesFromTheOlderLabelWhenNoContainerSetsOne() {
        V1Pod pod = running("dora-1", "dora", "10.0.0.1", 0);
        pod.getMetadata().getLabels().put(DesktopPodIndex.COOKIE_LABEL, COOKIE);
        pod.getSpec().containers(List.of(new V1Container().name("x11server").env(List.of(new V1EnvVar()
                .name("PULSEAUDIO_COOKIE").valueFrom(new V1EnvVarSource().secretKeyRef(
                        new V1SecretKeySelector().name("cookies").key("dora")))))));
        assertEquals(COOKIE, empty().with("ADDED", pod).desktop("dora").orElseThrow().pulseCookie());
    }

    @Test
    void aPodWithoutACookieHasNone() {
        DesktopPod desktop = empty().with("ADDED", running("dora-1", "dora", "10.0.0.1", 0)).desktop("dora").orElseThrow();
        assertNull(desktop.pulseCookie());
        V1Pod noSpec = running("otto-1", "otto", "10.0.0.3", 0).spec(null);
        assertNull(empty().with("ADDED", noSpec).desktop("otto").orElseThrow().pulseCookie());
    }

    @Test
    void theCookieIsNeverPrintedNorInTheAddresses() {
        V1Pod pod = running("dora-1", "dora", "10.0.0.1", 0);
        pod.getSpec().getContainers().get(0).env(List.of(new V1EnvVar().name("PULSEAUDIO_COOKIE").value(COOKIE)));
        DesktopPodIndex index = empty().with("ADDED", pod);
        DesktopPod desktop = index.desktop("dora").orElseThrow();
        assertEquals("DesktopPod[name=dora-1, address=10.0.0.1]", desktop.toString());
        assertFalse(desktop.toString().contains(COOKIE));
        assertFalse(index.addresses().toString().contains(COOKIE));
        assertTrue(new DesktopPod("p", "10.0.0.9", COOKIE).toString().contains("10.0.0.9"));
    }
}
