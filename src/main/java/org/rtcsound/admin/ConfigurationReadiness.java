package org.rtcsound.admin;

import java.util.Objects;
import java.util.logging.Logger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.rtcsound.config.OdConfigStore;
import org.rtcsound.security.TrustedKeys;

/**
 * Not ready while rtcsound would refuse every user: no od.config of the configured source
 * is in force (each version so far was refused), or there is no key to check tokens with.
 * Kubernetes then sends nobody to this replica; the reason, with the fix, is in the answer
 * and in the log, once each time it changes.
 */
@Readiness
@ApplicationScoped
public class ConfigurationReadiness implements HealthCheck {

    private static final Logger LOG = Logger.getLogger(ConfigurationReadiness.class.getName());

    @Inject
    TrustedKeys keys;

    private String lastLogged;

    @Override
    public HealthCheckResponse call() {
        String problem = OdConfigStore.notInForceReason();
        if (problem == null && keys.signingKeys().isEmpty()) {
            problem = "no key to check tokens with, so every user would be refused: set rtcsound.jwt.public-key-file"
                    + " (environment RTCSOUND_JWT_PUBLIC_KEY_FILE), or od.config's jwt_token_desktop"
                    + " 'jwtdesktoppublickeyfile', to abcdesktop's desktop signing public key (the Secret"
                    + " abcdesktopjwtdesktopsigning)";
        }
        logOnce(problem);
        return HealthCheckResponse.named("configuration")
                .status(problem == null)
                .withData("problem", problem == null ? "none" : problem)
                .build();
    }

    private synchronized void logOnce(String problem) {
        if (!Objects.equals(problem, lastLogged)) {
            if (problem != null) {
                LOG.severe("rtcsound is not ready: " + problem);
            } else if (lastLogged != null) {
                LOG.info("rtcsound is ready: the configuration problem is solved");
            }
            lastLogged = problem;
        }
    }
}
