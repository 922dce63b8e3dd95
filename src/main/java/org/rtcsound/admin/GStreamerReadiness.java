package org.rtcsound.admin;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.rtcsound.media.MediaService;

/** Ready when GStreamer and every element rtcsound needs are there. */
@Readiness
@ApplicationScoped
public class GStreamerReadiness implements HealthCheck {

    @Inject
    MediaService media;

    @Override
    public HealthCheckResponse call() {
        String problem = media.unavailableReason();
        return HealthCheckResponse.named("gstreamer")
                .status(problem == null)
                .withData("problem", problem == null ? "none" : problem)
                .build();
    }
}
