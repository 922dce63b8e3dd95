package org.rtcsound.kubernetes;

import java.util.function.BiConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;

import jakarta.enterprise.concurrent.ManagedThreadFactory;

import io.kubernetes.client.util.Watch;

/**
 * Keeps a Kubernetes watch going on a managed thread: each round reads the current state
 * and opens a watch from its version; when the watch ends or fails, a new round starts
 * after a pause that grows from 0.5 s to 10 s (and is back to 0.5 s once a round works).
 */
public final class WatchLoop<T> {

    private static final Logger LOG = Logger.getLogger(WatchLoop.class.getName());

    /** Reads the current state (applying it), then opens a watch from that version. */
    public interface Round<T> {
        Watch<T> readThenWatch() throws Exception;
    }

    private final String what;
    private final Round<T> round;
    private final BiConsumer<String, T> onEvent;
    private volatile boolean running;
    private volatile Watch<T> watch;
    private Thread thread;

    /**
     * @param what    for the log, e.g. "configmap abcdesktop/abcdesktop-config"
     * @param onEvent called with each event's type (ADDED, MODIFIED, DELETED) and object
     */
    public WatchLoop(String what, Round<T> round, BiConsumer<String, T> onEvent) {
        this.what = what;
        this.round = round;
        this.onEvent = onEvent;
    }

    public void start(ManagedThreadFactory threads, String threadName) {
        running = true;
        thread = threads.newThread(this::run);
        thread.setName(threadName);
        thread.start();
    }

    private void run() {
        long pause = 500;
        while (running) {
            try {
                watch = round.readThenWatch();
                pause = 500;
                for (Watch.Response<T> event : watch) {
                    onEvent.accept(event.type, event.object);
                }
                LOG.info(() -> "the watch of " + what + " ended; watching again");
            } catch (Exception e) {
                if (running) {
                    LOG.log(Level.WARNING, "watching " + what + " failed (" + e + "); trying again in " + pause + " ms");
                }
            } finally {
                closeWatch();
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            pause = Math.min(pause * 2, 10_000);
        }
    }

    private void closeWatch() {
        Watch<T> open = watch;
        watch = null;
        if (open != null) {
            try {
                open.close();
            } catch (Exception e) {
                LOG.log(Level.FINE, "closing the watch of " + what, e);
            }
        }
    }

    public void stop() {
        running = false;
        closeWatch();
        if (thread != null) {
            thread.interrupt();
        }
    }
}
