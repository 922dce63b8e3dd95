package org.rtcsound.admin;

import java.nio.file.Files;
import java.nio.file.Path;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.rtcsound.config.SoundSettings;

/**
 * Not ready while the drain file exists: a stopping pod's preStop hook creates it, so that
 * Kubernetes takes the pod out of the Service before Liberty stops and tells its calls to
 * call again (close 1012), and no new call lands on a replica that is going away.
 */
@Readiness
@ApplicationScoped
public class DrainingReadiness implements HealthCheck {

    @Inject
    SoundSettings settings;

    @Override
    public HealthCheckResponse call() {
        Path drainFile = settings.drainFile();
        boolean draining = Files.exists(drainFile);
        return HealthCheckResponse.named("draining")
                .status(!draining)
                .withData("problem", draining ? "draining: " + drainFile + " exists (this replica is stopping)" : "none")
                .build();
    }
}
