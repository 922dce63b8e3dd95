package org.rtcsound.signalling;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.BeforeDestroyed;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.rtcsound.call.SignallingSession;

/**
 * When the application stops (a new version, a pod going away), every browser is told to
 * call again now (close 1012) and every call's media is released before GStreamer goes
 * with the process. Kubernetes has already taken a terminating pod out of its Service, so
 * the pages land on a replica that stays.
 */
@ApplicationScoped
public class ServerStopping {

    private static final Logger LOG = Logger.getLogger(ServerStopping.class.getName());

    @Inject
    SessionRegistry registry;

    void stopping(@Observes @BeforeDestroyed(ApplicationScoped.class) Object application) {
        CompletableFuture<?>[] released = registry.all().stream().map(SignallingSession::serverStopping)
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
