package org.rtcsound.media;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.rtcsound.desktop.PulseAudioDesktop;

/**
 * The desktops being streamed, one {@link DesktopStream} each, counted by who listens.
 * The first listener of a desktop starts its stream; when the last one leaves, the stream
 * lingers (keeps capturing and encoding) for a while, so that a reload or a reconnect
 * finds it already encoding. A stream that fails is dropped at once: the next listener
 * of that desktop starts a fresh one.
 */
final class DesktopStreams {

    /** What the admin status shows of one stream. */
    record Status(PulseAudioDesktop desktop, int listeners, boolean lingering, Instant startedAt, double levelDb,
            List<TracedOnset> onsets) {
    }

    private static final class Entry {
        final DesktopStream stream;
        int members;
        boolean failed;
        ScheduledFuture<?> linger;
        /** Which linger is current: a cancelled one that runs anyway must not end a later one. */
        long lingerGeneration;

        Entry(DesktopStream stream) {
            this.stream = stream;
        }
    }

    private final ScheduledExecutorService scheduler;
    private final Executor executor;
    private final Map<PulseAudioDesktop, Entry> streams = new HashMap<>();
    /** Streams out of the map that still have members (a failed one, until they leave). */
    private final Map<DesktopStream, Entry> entries = new HashMap<>();
    private final java.util.concurrent.atomic.AtomicLong stalls = new java.util.concurrent.atomic.AtomicLong();
    private ScheduledFuture<?> stallWatch;

    /**
     * @param scheduler ends lingering streams
     * @param executor  stops streams that fail with no listener (never on GStreamer's thread)
     */
    DesktopStreams(ScheduledExecutorService scheduler, Executor executor) {
        this.scheduler = scheduler;
        this.executor = executor;
    }

    /** Runs once for every stream failed by a stall (its listeners call again onto a fresh one). */
    private Runnable onStall = () -> { };

    /** Starts watching the streams for stalls, once a second, until {@link #stopAll}. */
    void watchForStalls(Runnable onStall) {
        this.onStall = onStall;
        stallWatch = scheduler.scheduleWithFixedDelay(this::checkStalls, 1, 1, TimeUnit.SECONDS);
    }

    private void checkStalls() {
        List<DesktopStream> all;
        synchronized (this) {
            all = new ArrayList<>(entries.keySet());
        }
        long now = System.nanoTime();
        for (DesktopStream stream : all) {
            try {
                if (stream.failIfStalled(now)) {
                    stalls.incrementAndGet();
                    onStall.run();
                }
            } catch (RuntimeException e) {
                java.util.logging.Logger.getLogger(DesktopStreams.class.getName())
                        .log(java.util.logging.Level.WARNING, "checking a stream for a stall failed", e);
            }
        }
    }

    /** Streams failed because their capture stalled, since this server started. */
    long stalls() {
        return stalls.get();
    }

    /**
     * The desktop's stream, created with {@code tuning} if none plays (one that plays keeps
     * its own), with one more member; start it with awaitStarted.
     */
    synchronized DesktopStream join(PulseAudioDesktop desktop, MediaTuning tuning) {
        Entry entry = streams.get(desktop);
        if (entry == null) {
            entry = new Entry(new DesktopStream(desktop, tuning, this::failed));
            streams.put(desktop, entry);
            entries.put(entry.stream, entry);
        }
        if (entry.linger != null) {
            entry.linger.cancel(false);
            entry.linger = null;
        }
        entry.members++;
        return entry.stream;
    }

    /** One member fewer; the last one leaves the stream to linger for {@code linger}, or stops it. */
    void leave(DesktopStream stream, Duration linger) {
        synchronized (this) {
            Entry entry = entries.get(stream);
            if (entry == null || --entry.members > 0) {
                return;
            }
            if (!entry.failed && !linger.isZero()) {
                long generation = ++entry.lingerGeneration;
                entry.linger = scheduler.schedule(() -> expire(entry, generation), linger.toMillis(),
                        TimeUnit.MILLISECONDS);
                return;
            }
            drop(entry);
        }
        stream.stop();
    }

    private void expire(Entry entry, long generation) {
        synchronized (this) {
            if (entry.members > 0 || entry.linger == null || entry.lingerGeneration != generation) {
                return; // a listener came back in time (and may have left again since: a later linger decides)
            }
            drop(entry);
        }
        entry.stream.stop();
    }

    /** Called by a stream when it fails: no new listener may join it. */
    void failed(DesktopStream stream) {
        Entry entry;
        synchronized (this) {
            entry = entries.get(stream);
            if (entry == null) {
                return;
            }
            entry.failed = true;
            streams.remove(stream.desktop(), entry);
            if (entry.members > 0) {
                return; // stopped when its listeners have left
            }
            drop(entry);
        }
        try {
            executor.execute(stream::stop);
        } catch (RuntimeException e) {
            // e.g. the executor is shutting down: the stream still must not outlive its failure
            new Thread(stream::stop, "rtcsound-stop-failed-stream").start();
        }
    }

    private void drop(Entry entry) {
        if (entry.linger != null) {
            entry.linger.cancel(false);
            entry.linger = null;
        }
        streams.remove(entry.stream.desktop(), entry);
        entries.remove(entry.stream);
    }

    synchronized List<Status> status() {
        List<Status> status = new ArrayList<>();
        entries.values().forEach(entry -> status.add(new Status(entry.stream.desktop(), entry.members,
                entry.linger != null, entry.stream.startedAt(), entry.stream.levelDb(),
                entry.stream.trace() == null ? List.of() : entry.stream.trace().onsets())));
        return status;
    }

    /** Stops every stream now (the application is stopping). */
    void stopAll() {
        if (stallWatch != null) {
            stallWatch.cancel(false);
        }
        List<DesktopStream> all;
        synchronized (this) {
            all = new ArrayList<>(entries.keySet());
            new ArrayList<>(entries.values()).forEach(this::drop);
        }
        all.forEach(DesktopStream::stop);
    }
}
