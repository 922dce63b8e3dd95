package org.rtcsound.call;

import java.util.concurrent.CompletableFuture;

/**
 * One call's media work, run in the order it was submitted, never two tasks at once: a
 * pipeline is never stopped while it is still starting, an answer never applied twice at
 * once. A task that throws goes to the failure handler it was created with, and the
 * following tasks still run.
 */
public interface SerialWork {

    /** Completes when the task has run (or failed). */
    CompletableFuture<Void> submit(Runnable task);
}
