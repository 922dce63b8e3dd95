package org.rtcsound.security;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.Config;

/** The security settings, read at each use so that an od.config change applies at once. */
@ApplicationScoped
public class SecuritySettings {

    /** abcdesktop's od.config entry for its desktop tokens; its public key file is ours too. */
    public static final String DESKTOP_PUBLIC_KEY_FILE = "jwt_token_desktop.jwtdesktoppublickeyfile";
    public static final String PUBLIC_KEY_FILE = "rtcsound.jwt.public-key-file";
    public static final String PAYLOAD_PRIVATE_KEY_FILE = "rtcsound.jwt.payload-private-key-file";
    public static final String CLOCK_SKEW = "rtcsound.jwt.clock-skew-seconds";
    public static final String DEMO_SIGN_IN = "rtcsound.security.demo-sign-in";
    public static final String TRUST_FORWARDED_PROTO = "rtcsound.security.trust-forwarded-proto";
    public static final String SESSIONS_PER_USER = "rtcsound.limits.sessions-per-user";
    public static final String SESSIONS = "rtcsound.limits.sessions";
    public static final String NEW_SESSIONS_PER_MINUTE = "rtcsound.limits.new-sessions-per-client-per-minute";

    @Inject
    Config config;

    public Optional<String> publicKeyFile() {
        return text(PUBLIC_KEY_FILE);
    }

    public Optional<String> desktopPublicKeyFile() {
        return text(DESKTOP_PUBLIC_KEY_FILE);
    }

    public Optional<String> payloadPrivateKeyFile() {
        return text(PAYLOAD_PRIVATE_KEY_FILE);
    }

    public int clockSkewSeconds() {
        return number(CLOCK_SKEW, 30);
    }

    public boolean demoSignIn() {
        return flag(DEMO_SIGN_IN);
    }

    public boolean trustForwardedProto() {
        return flag(TRUST_FORWARDED_PROTO);
    }

    public int sessionsPerUser() {
        return number(SESSIONS_PER_USER, 8);
    }

    public int sessions() {
        return number(SESSIONS, 200);
    }

    public int newSessionsPerClientPerMinute() {
        return number(NEW_SESSIONS_PER_MINUTE, 60);
    }

    private Optional<String> text(String key) {
        return config.getOptionalValue(key, String.class).map(String::trim).filter(s -> !s.isEmpty());
    }

    private boolean flag(String key) {
        return text(key).map(t -> t.equalsIgnoreCase("true")).orElse(false);
    }

    private int number(String key, int fallback) {
        return config.getOptionalValue(key, Integer.class).orElse(fallback);
    }
}
