package org.rtcsound.media;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

import org.rtcsound.call.SerialWork;

/**
 * The call core's {@link SerialWork} on a shared executor: each task is chained after the
 * one before, and a failure is handed on instead of completing the chain exceptionally
 * (which would skip every later task, the pipeline's close among them).
 */
public final class SerialTasks implements SerialWork {

    private final Executor executor;
    private final Consumer<Throwable> onFailure;
    private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);

    public SerialTasks(Executor executor, Consumer<Throwable> onFailure) {
        this.executor = command -> {
            try {
                executor.execute(command);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // The server is stopping and its executor takes no more work: the task (a
                // call's release, typically) still runs, here, after the ones before it.
                command.run();
            }
        };
        this.onFailure = onFailure;
    }

    @Override
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
