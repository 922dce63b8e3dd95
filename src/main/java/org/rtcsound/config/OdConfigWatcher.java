package org.rtcsound.config;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;

/**
 * Applies changes to the od.config file live: it is read again every 500 ms, so a change
 * is in force within a second. Polling, not file events: a Kubernetes ConfigMap mounted
 * as a file changes by a swap of symbolic links, which file events do not follow well.
 */
@ApplicationScoped
public class OdConfigWatcher {

    private static final Logger LOG = Logger.getLogger(OdConfigWatcher.class.getName());
    static final long PERIOD_MS = 500;

    @Resource(lookup = "java:comp/DefaultManagedScheduledExecutorService")
    ManagedScheduledExecutorService scheduler;

    private ScheduledFuture<?> polling;

    void onStart(@Observes @Initialized(ApplicationScoped.class) Object application) {
        OdConfigStore.reload();
        if (OdConfigStore.file() != null) {
            polling = scheduler.scheduleWithFixedDelay(this::poll, PERIOD_MS, PERIOD_MS, TimeUnit.MILLISECONDS);
        }
    }

    private void poll() {
        try {
            OdConfigStore.reload();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "reloading od.config failed", e);
        }
    }

    @PreDestroy
    void stop() {
        if (polling != null) {
            polling.cancel(false);
        }
    }
}
