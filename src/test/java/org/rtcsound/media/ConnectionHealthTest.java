package org.rtcsound.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** What a listener concludes from its webrtcbin's states and stats, with no GStreamer. */
class ConnectionHealthTest {

    private static final long MS = 1_000_000;

    private final ConnectionHealth health = new ConnectionHealth();

    @Test
    void connectedIsReportedOnce() {
        assertFalse(health.isConnected());
        assertTrue(health.connected(5 * MS));
        assertFalse(health.connected(6 * MS));
        assertTrue(health.isConnected());
    }

    @Test
    void failedIceIsLostAtOnceAndDisconnectedOnlyAfterItsGrace() {
        health.connected(0);
        assertEquals("ICE failed", health.iceState("failed", 0));
        assertNull(health.iceState("disconnected", 1000 * MS));
        assertNull(health.iceState("disconnected", 2500 * MS));
        assertEquals("ICE disconnected for 2000 ms", health.iceState("disconnected", 3000 * MS));
    }

    @Test
    void aDisconnectionThatRecoversStartsItsGraceAgain() {
        health.connected(0);
        assertNull(health.iceState("disconnected", 0));
        assertNull(health.iceState("connected", 1500 * MS));
        assertNull(health.iceState("disconnected", 2500 * MS));
        assertNull(health.iceState("disconnected", 4000 * MS), "1.5 s into the second disconnection");
    }

    @Test
    void theBrowserIsSilentOnlyAfterThreeSecondsWithoutANewReceiverReport() {
        health.connected(0);
        assertFalse(health.receiverReport(null, 2900 * MS), "no report yet, 2.9 s after connecting");
        assertTrue(health.receiverReport(null, 3000 * MS));
        assertFalse(health.receiverReport("100/7/9", 3100 * MS), "a report came");
        assertFalse(health.receiverReport("100/7/9", 6000 * MS), "the same report, 2.9 s later");
        assertFalse(health.receiverReport("350/8/2", 7000 * MS), "a newer one");
        assertTrue(health.receiverReport("350/8/2", 10000 * MS));
    }

    @Test
    void aCallThatNeverConnectedIsNotLostButLeftToThePagesRetry() {
        assertNull(health.iceState("failed", 0));
        assertNull(health.iceState("disconnected", 60_000 * MS));
    }

    @Test
    void silenceBeforeTheConnectionIsNotCounted() {
        assertFalse(health.receiverReport(null, 60_000 * MS));
    }

    @Test
    void theBitrateIsTakenOverTheLastInterval() {
        assertNull(health.bitsPerSecond(1000, 0));
        assertEquals(64000.0, health.bitsPerSecond(9000, 1000 * MS), 0.001);
    }
}
