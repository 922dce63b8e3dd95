package org.rtcsound.security;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.Config;
import org.rtcsound.config.Setting;

/** The security settings, read at each use so that an od.config change applies at once; keys and defaults are {@link Setting}'s. */
@ApplicationScoped
public class SecuritySettings {

    public static final String PAYLOAD_PRIVATE_KEY_FILE = Setting.PAYLOAD_PRIVATE_KEY_FILE.key();

    @Inject
    Config config;

    public SecuritySettings() {
    }

    /** For code and tests that live outside CDI. */
    public SecuritySettings(Config config) {
        this.config = config;
    }

    public Optional<String> publicKeyFile() {
        return Setting.PUBLIC_KEY_FILE.optional(config);
    }

    public Optional<String> desktopPublicKeyFile() {
        return Setting.DESKTOP_PUBLIC_KEY_FILE.optional(config);
    }

    public Optional<String> payloadPrivateKeyFile() {
        return Setting.PAYLOAD_PRIVATE_KEY_FILE.optional(config);
    }

    public int clockSkewSeconds() {
        return Setting.CLOCK_SKEW.read(config);
    }

    public boolean demoSignIn() {
        return Setting.DEMO_SIGN_IN.read(config);
    }

    public boolean trustForwardedProto() {
        return Setting.TRUST_FORWARDED_PROTO.read(config);
    }

    public int sessionsPerUser() {
        return Setting.SESSIONS_PER_USER.read(config);
    }

    public int sessions() {
        return Setting.SESSIONS.read(config);
    }

    public int newSessionsPerClientPerMinute() {
        return Setting.NEW_SESSIONS_PER_MINUTE.read(config);
    }
}
