package org.rtcsound.media;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Runs one session's media work in order on a shared executor: a pipeline is never
 * stopped while it is still starting, and an answer is never applied twice at once.
 */
public final class SerialTasks {

    private final Executor executor;
    private final Consumer<Throwable> onFailure;
    private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);

    public SerialTasks(Executor executor, Consumer<Throwable> onFailure) {
        this.executor = executor;
        this.onFailure = onFailure;
    }

    public synchronized CompletableFuture<Void> submit(Runnable task) {
        tail = tail.thenRunAsync(() -> {
            try {
                task.run();
            } catch (Throwable e) {
                onFailure.accept(e);
            }
        }, executor);
        return tail;
    }
}
