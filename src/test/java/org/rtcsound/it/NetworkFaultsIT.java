package org.rtcsound.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.rtcsound.testing.Chromium;
import org.rtcsound.testing.FaultRig;
import org.rtcsound.testing.MetricsScrape;
import org.rtcsound.testing.LoopingTone;
import org.rtcsound.testing.PageAudio;
import org.rtcsound.testing.Suite;
import org.rtcsound.testing.ToneWatch;

/**
 * The network fails under a page that hears the desktop's tone, and the call heals within
 * the bounds of issue 14, without a reload: Chromium runs in a network namespace of the
 * test's own ({@link FaultRig}), where UDP is dropped for 5 s (tone back within 2 s of its
 * return), its connections to the server are reset by the network or at the server's end
 * (tone back within 2 s), and its link goes down with the browser left running (the server
 * ends the call and frees everything it held within 10 s).
 *
 * <p>Times are read in the page ({@link ToneWatch}) on the wall clock the fault is stamped
 * with, and each fault is stamped before the command that ends it runs, so a figure can
 * come out long, never short. Each bound gets {@link #RESOLUTION_MS} on top: the watch's own
 * resolution (Chromium refreshes the stats it reads every ~50 ms; they are read every 20 ms)
 * and the fault command's own run time (an iptables or ss process, 10-30 ms here).
 */
@ExtendWith(Suite.class)
class NetworkFaultsIT {

    private static final int TONE_HZ = 660;
    private static final long UDP_OUTAGE_MS = 5000;
    /** Issue 14: the tone is back within 2 s of the network's return, or of the WebSocket's loss. */
    private static final long BACK_WITHIN_MS = 2000;
    /** Issue 14: a browser that vanished is let go, everything it held freed, within 10 s. */
    private static final long FREED_WITHIN_MS = 10_000;
    private static final long RESOLUTION_MS = 100;

    private static FaultRig rig;
    private static LoopingTone tone;

    private static java.nio.file.Path work;

    @BeforeAll
    static void start(Suite.Parts parts) {
        work = parts.work();
        rig = FaultRig.start(parts.work(), parts.pulse());
        tone = LoopingTone.start(parts.pulse(), "virtspk", TONE_HZ, 0.5);
        // A first call warms the server up (its first pipeline, its thread pools), so that
        // the figures a later call is compared with are a warm server's.
        try (Chromium.Tab warmUp = rig.open("faults-warm-up")) {
            PageAudio.assertHears(warmUp, TONE_HZ);
        }
        rig.server().awaitIdle(Duration.ofSeconds(10));
    }

    @AfterAll
    static void stop() {
        if (tone != null) {
            tone.close();
        }
        if (rig != null) {
            rig.close();
        }
    }

    @AfterEach
    void networkBack() {
        rig.restoreUdp();
        rig.setLinkUp(true);
        rig.server().awaitIdle(Duration.ofSeconds(15));
    }

    @Test
    void udpBlockedForFiveSecondsIsHeardAgainWithinTwoSecondsOfItsReturn() {
        try (Chromium.Tab tab = rig.open("faults-udp")) {
            ToneWatch watch = FaultRig.hearing(tab, TONE_HZ);
            String pathBefore = PageAudio.selectedPath(tab);
            MetricsScrape before = MetricsScrape.of(rig.server(), work);
            ToneWatch.Recovery recovery = watch.through(rig.udpOutage(UDP_OUTAGE_MS), 20_000);
            String timeline = watch.timeline(recovery.began());
            System.out.printf("UDP blocked %d ms: silent %.0f ms after the block, back %.0f ms after UDP returned;"
                    + " path before %s, after %s; the watch's longest gap %.0f ms; from the block:%n%s%n", UDP_OUTAGE_MS,
                    recovery.silentAfter(), recovery.backAfter(), pathBefore, PageAudio.selectedPath(tab),
                    watch.watched().longestGap(), timeline);
            assertTrue(recovery.backAfter() <= BACK_WITHIN_MS + RESOLUTION_MS, "tone back " + recovery.backAfter()
                    + " ms after UDP returned; from the block:\n" + timeline);
            FaultRig.assertHearsTheSamePage(tab, TONE_HZ);
            // whichever side noticed first, the heal is counted where operators look: the server's metrics
            boolean pageNoticed = String.join("\n", tab.console()).contains("No audio for");
            String kind = pageNoticed ? "page_stalled" : "connection_lost";
            MetricsScrape after = MetricsScrape.of(rig.server(), work);
            assertEquals(before.value("rtcsound_heals_total", "\"kind\": \"" + kind + "\"") + 1,
                    after.value("rtcsound_heals_total", "\"kind\": \"" + kind + "\""),
                    "heals of kind " + kind + " (the page " + (pageNoticed ? "" : "did not ") + "restart the call itself)");
        }
    }

    @Test
    void aWebSocketResetByTheNetworkIsHeardAgainWithinTwoSeconds() {
        assertHeardAgainAfterAReset(false, "faults-ws-network");
    }

    @Test
    void aWebSocketDroppedAtTheServersEndIsHeardAgainWithinTwoSeconds() {
        assertHeardAgainAfterAReset(true, "faults-ws-server");
    }

    private static void assertHeardAgainAfterAReset(boolean atServer, String user) {
        try (Chromium.Tab tab = rig.open(user)) {
            ToneWatch watch = FaultRig.hearing(tab, TONE_HZ);
            ToneWatch.Recovery recovery = watch.through(rig.connectionsReset(atServer), 10_000);
            System.out.printf("connections reset at the %s's end: back %.0f ms after, path %s%n",
                    atServer ? "server" : "browser", recovery.backAfter(), PageAudio.selectedPath(tab));
            assertTrue(recovery.backAfter() <= BACK_WITHIN_MS + RESOLUTION_MS,
                    "tone back " + recovery.backAfter() + " ms after the reset");
            FaultRig.assertHearsTheSamePage(tab, TONE_HZ);
            assertTrue(String.join("\n", tab.console()).contains("Signalling closed (1006"),
                    "the page saw its socket drop: " + tab.console());
        }
    }

    /**
     * The figures to be back to are read once the browser has loaded something from the
     * server without calling: its idle HTTP connection (which Liberty keeps 30 s) is then in
     * them, so what must go is what the call held (signalling, ICE, pipeline, threads), and
     * every connection with the browser that the call opened must be closed.
     *
     * <p>The call ends, and its media is freed, within issue 14's 10 s. The WebSocket's TCP
     * connection is not: the server's close frame finds no one, and Liberty (26.0.0.3) keeps
     * that connection about 30 s more whatever the session's idle timeout (measured 30.0 to
     * 34.4 s; httpOptions persistTimeout=5s did not shorten it). Until that is solved, that
     * part is bounded at {@link #CONNECTION_GONE_WITHIN_MS}, so that a connection held for
     * good still fails.
     */
    @Test
    void aBrowserThatVanishesHasItsCallEndedWithinTenSecondsAndEverythingFreedAfter() {
        try (Chromium.Tab tab = rig.chromium().open(rig.server().httpsUri("/style.css"))) {
            FaultRig.Baseline before = rig.baseline();
            tab.page().navigate(rig.page("faults-vanish").toString());
            FaultRig.hearing(tab, TONE_HZ);
            String path = PageAudio.selectedPath(tab);
            assertEquals(before.status().getInt("sessions") + 1, rig.server().status().getInt("sessions"));
            FaultRig.Freed freed = rig.vanish(before, CONNECTION_GONE_WITHIN_MS);
            System.out.println("vanished browser (path " + path + "): " + freed);
            assertTrue(freed.endedMillis() >= 0 && freed.endedMillis() <= FREED_WITHIN_MS + RESOLUTION_MS,
                    "the call must end, its media freed, within 10 s: " + freed);
            assertTrue(freed.callFreedMillis() >= 0 && freed.callFreedMillis() <= FREED_WITHIN_MS + RESOLUTION_MS,
                    "everything the call held (sockets and threads too, but for the WebSocket Liberty closes) must be"
                            + " freed within 10 s: " + freed);
            assertTrue(freed.freed(), "a vanished browser: " + freed + "; the server's sockets:\n"
                    + freed.sockets());
        }
    }

    /** Liberty's hold on a WebSocket connection whose peer is gone (see above), with room. */
    private static final long CONNECTION_GONE_WITHIN_MS = 45_000;
}
