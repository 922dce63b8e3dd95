package org.rtcsound.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rtcsound.desktop.PulseAudioDesktop;

/**
 * Who shares which desktop stream, and when a stream ends, without GStreamer: streams that
 * are never started have no pipeline, so the registry's bookkeeping is all there is.
 */
class DesktopStreamsTest {

    private static final PulseAudioDesktop ALICE = new PulseAudioDesktop("tcp:10.0.0.1:4713", "virtspk", "virtmic", null);
    private static final PulseAudioDesktop BOB = new PulseAudioDesktop("tcp:10.0.0.2:4713", "virtspk", "virtmic", null);

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final DesktopStreams streams = new DesktopStreams(scheduler, Runnable::run);

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    @Test
    void listenersOfOneDesktopShareItsStreamAndEachDesktopHasItsOwn() {
        DesktopStream first = streams.join(ALICE, MediaTuning.DEFAULTS);
        DesktopStream second = streams.join(ALICE, MediaTuning.DEFAULTS);
        DesktopStream other = streams.join(BOB, MediaTuning.DEFAULTS);
        assertSame(first, second);
        assertNotSame(first, other);
        assertEquals(2, statusOf(ALICE).listeners());
        assertEquals(1, statusOf(BOB).listeners());
    }

    @Test
    void withoutLingerTheLastListenerEndsTheStream() {
        DesktopStream stream = streams.join(ALICE, MediaTuning.DEFAULTS);
        streams.join(ALICE, MediaTuning.DEFAULTS);
        streams.leave(stream, Duration.ZERO);
        assertEquals(1, statusOf(ALICE).listeners(), "one listener left: the stream plays on");
        streams.leave(stream, Duration.ZERO);
        assertTrue(streams.status().isEmpty());
        assertNotSame(stream, streams.join(ALICE, MediaTuning.DEFAULTS), "the next listener starts a fresh stream");
    }

    @Test
    void aStreamLingersAfterItsLastListenerAndAListenerBackInTimeFindsIt() throws Exception {
        DesktopStream stream = streams.join(ALICE, MediaTuning.DEFAULTS);
        streams.leave(stream, Duration.ofMillis(300));
        assertTrue(statusOf(ALICE).lingering());
        assertEquals(0, statusOf(ALICE).listeners());
        assertSame(stream, streams.join(ALICE, MediaTuning.DEFAULTS), "a reload joins the lingering stream");
        assertTrue(!statusOf(ALICE).lingering());
        Thread.sleep(500);
        assertEquals(1, statusOf(ALICE).listeners(), "the cancelled linger did not end it");

        streams.leave(stream, Duration.ofMillis(100));
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!streams.status().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(streams.status().isEmpty(), "the linger ran out");
        assertNotSame(stream, streams.join(ALICE, MediaTuning.DEFAULTS));
    }

    @Test
    void aFailedStreamTakesNoNewListenerAndEndsWhenItsListenersHaveLeft() {
        DesktopStream failed = streams.join(ALICE, MediaTuning.DEFAULTS);
        streams.failed(failed);
        DesktopStream fresh = streams.join(ALICE, MediaTuning.DEFAULTS);
        assertNotSame(failed, fresh);
        assertEquals(2, streams.status().size(), "the failed one is counted until its listener leaves");
        streams.leave(failed, Duration.ofSeconds(30));
        assertEquals(List.of(fresh.desktop()), streams.status().stream().map(DesktopStreams.Status::desktop).toList());
        assertTrue(!statusOf(ALICE).lingering(), "a failed stream never lingers");
    }

    @Test
    void aFailedStreamWithoutListenersIsDroppedAtOnce() {
        DesktopStream stream = streams.join(ALICE, MediaTuning.DEFAULTS);
        streams.leave(stream, Duration.ofSeconds(30));
        streams.failed(stream);
        assertTrue(streams.status().isEmpty());
    }

    private DesktopStreams.Status statusOf(PulseAudioDesktop desktop) {
        List<DesktopStreams.Status> found = streams.status().stream().filter(s -> s.desktop().equals(desktop)).toList();
        assertEquals(1, found.size(), () -> "streams: " + streams.status());
        return found.get(0);
    }
}
