package org.rtcsound.config;

import java.io.StringReader;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;

import org.eclipse.microprofile.config.Config;

/**
 * The typed view of the settings rtcsound uses. Keys are od.config's own names
 * ({@code webrtc.enable}, {@code webrtc.rtc_configuration}, ...) so that the same
 * names work whether they come from od.config, the environment or system properties.
 * Values are read on every call: a session always sees the configuration in force.
 */
@ApplicationScoped
public class SoundSettings {

    public static final String WEBRTC_ENABLE = "webrtc.enable";
    public static final String RTC_CONFIGURATION = "webrtc.rtc_configuration";
    public static final String RTC_CONSTRAINTS = "webrtc.rtc_constraints";
    /** od.config's desktop.envlocal STUN_SERVER, as the flattened key the ConfigSource provides. */
    public static final String STUN_SERVER = "desktop.envlocal.STUN_SERVER";
    public static final String SOUND_POD_ENABLE = "desktop.pod.sound.enable";
    public static final String MAX_FRAME_BYTES = "rtcsound.signalling.max-frame-bytes";

    private static final String DEFAULT_CONSTRAINTS = "{\"video\":false,\"audio\":{\"echoCancellation\":true,"
            + "\"noiseSuppression\":true,\"autoGainControl\":true}}";

    @Inject
    Config config;

    public SoundSettings() {
    }

    /** For code and tests that live outside CDI. */
    public SoundSettings(Config config) {
        this.config = config;
    }

    public boolean webrtcEnabled() {
        return config.getOptionalValue(WEBRTC_ENABLE, String.class)
                .map(text -> parseBoolean(WEBRTC_ENABLE, text))
                .orElse(Boolean.FALSE);
    }

    /** Why sound is off by configuration, or null when it is on. */
    public String soundOffReason() {
        if (!webrtcEnabled()) {
            return "sound is turned off on this server (webrtc.enable is False)";
        }
        boolean podSound = config.getOptionalValue(SOUND_POD_ENABLE, String.class)
                .map(text -> parseBoolean(SOUND_POD_ENABLE, text))
                .orElse(Boolean.TRUE);
        return podSound ? null : "sound is turned off on this server (desktop.pod's 'sound' entry has 'enable': False)";
    }

    /** The browser's RTCConfiguration before TURN credentials are added. */
    public JsonObject rtcConfiguration() {
        JsonValue value = json(RTC_CONFIGURATION, "{\"iceServers\":[]}");
        if (value.getValueType() != JsonValue.ValueType.OBJECT) {
            throw new InvalidSettingException(RTC_CONFIGURATION, "must be a dictionary with 'iceServers'");
        }
        return value.asJsonObject();
    }

    /** What the page passes to getUserMedia. */
    public JsonValue rtcConstraints() {
        return json(RTC_CONSTRAINTS, DEFAULT_CONSTRAINTS);
    }

    /** webrtcbin's stun-server, as {@code stun://host:port} (od.config: desktop.envlocal's STUN_SERVER). */
    public Optional<String> stunServer() {
        return config.getOptionalValue(STUN_SERVER, String.class).filter(s -> !s.isBlank());
    }

    public static final String COTURN = "webrtc.coturn";

    /**
     * {@code webrtc.coturn}, when it is configured; a configured but incomplete entry is an
     * error that names the missing or wrong field.
     */
    public Optional<Coturn> coturn() {
        if (config.getOptionalValue(COTURN, String.class).isEmpty()) {
            return Optional.empty();
        }
        String secret = required("coturn_static_auth_secret");
        String ttl = required("ttl");
        String protocol = required("protocol");
        String url = required("url");
        long ttlSeconds;
        try {
            ttlSeconds = Long.parseLong(ttl);
        } catch (NumberFormatException e) {
            throw new InvalidSettingException(COTURN, "field 'ttl' must be a whole number of seconds, got '" + ttl + "'");
        }
        if (ttlSeconds <= 0) {
            throw new InvalidSettingException(COTURN, "field 'ttl' must be positive, got " + ttlSeconds);
        }
        if (!protocol.equals("turn") && !protocol.equals("turns")) {
            throw new InvalidSettingException(COTURN, "field 'protocol' must be 'turn' or 'turns', got '" + protocol + "'");
        }
        return Optional.of(new Coturn(secret, ttlSeconds, protocol, url));
    }

    private String required(String field) {
        return config.getOptionalValue(COTURN + "." + field, String.class).filter(v -> !v.isBlank())
                .orElseThrow(() -> new InvalidSettingException(COTURN, "lacks the field '" + field + "'"));
    }

    public int maxFrameBytes() {
        return config.getOptionalValue(MAX_FRAME_BYTES, Integer.class).orElse(65536);
    }

    /** Python's True/False as od.config writes them, and the usual true/false. */
    static boolean parseBoolean(String key, String text) {
        String t = text.trim();
        if (t.equals("True") || t.equalsIgnoreCase("true")) {
            return true;
        }
        if (t.equals("False") || t.equalsIgnoreCase("false")) {
            return false;
        }
        throw new InvalidSettingException(key, "expected True or False, got '" + t + "'");
    }

    private JsonValue json(String key, String fallback) {
        String text = config.getOptionalValue(key, String.class).orElse(fallback);
        try (JsonReader reader = Json.createReader(new StringReader(text))) {
            return reader.readValue();
        } catch (JsonException e) {
            throw new InvalidSettingException(key, "is not valid JSON: " + e.getMessage());
        }
    }
}
