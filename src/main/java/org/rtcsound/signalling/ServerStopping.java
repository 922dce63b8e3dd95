package org.rtcsound.signalling;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.BeforeDestroyed;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.rtcsound.call.SignallingSession;

/**
 * When the server stops (a new version, a pod going away), every browser is told to call
 * again now (close 1012) and every call's media is released before GStreamer goes with the
 * process. Kubernetes has already taken a terminating pod out of its Service, so the pages
 * land on a replica that stays.
 *
 * <p>It happens at the first sign of the stop: the JVM's shutdown (SIGTERM, as Kubernetes and
 * {@code docker stop} send) runs it at once, and from then on a new signalling connection is
 * answered with 1012 too, so that a page calling again does not settle on this stopping
 * server (it did, in the recovery benchmark, and went silent when the server went).
 * Liberty stops applications only after quiescing
 * its transports, and a quiesce that waits its whole 30 s (one did, in ServerRestartIT) drops
 * the WebSocket connections before the application could close them with 1012. A stop
 * without a signal ({@code server stop}) still reaches it when the application is destroyed.
 */
@ApplicationScoped
public class ServerStopping {

    private static final Logger LOG = Logger.getLogger(ServerStopping.class.getName());

    @Inject
    SessionRegistry registry;

    private Thread shutdownHook;

    void started(@Observes @Initialized(ApplicationScoped.class) Object application) {
        ClassLoader applicationLoader = Thread.currentThread().getContextClassLoader();
        shutdownHook = new Thread(() -> {
            Thread.currentThread().setContextClassLoader(applicationLoader);
            tellEveryBrowser();
        }, "rtcsound-server-stopping");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    void stopping(@Observes @BeforeDestroyed(ApplicationScoped.class) Object application) {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs, or ran, already
        }
        tellEveryBrowser();
    }

    /** Every call told to call again, its media released (waited for up to 5 s); once, as the registry closes once. */
    private void tellEveryBrowser() {
        List<SignallingSession> sessions = registry.close(); // and none opens from now on
        CompletableFuture<?>[] released = sessions.stream().map(SignallingSession::serverStopping)
                .toArray(CompletableFuture[]::new);
        if (released.length == 0) {
            return;
        }
        LOG.info(() -> "stopping: " + released.length + " calls told to call again");
        try {
            CompletableFuture.allOf(released).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warning("stopping: not every call released its media within 5 s (" + e.getClass().getSimpleName() + ")");
        }
    }
}
