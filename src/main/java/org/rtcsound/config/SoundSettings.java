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
import org.rtcsound.call.Refusal.InvalidSetting;

/**
 * The typed view of the settings rtcsound uses. Keys are od.config's own names
 * ({@code webrtc.enable}, {@code webrtc.rtc_configuration}, ...) so that the same
 * names work whether they come from od.config, the environment or system properties.
 * Values are read on every call: a session always sees the configuration in force. Keys,
 * defaults and parsing are {@link Setting}'s.
 */
@ApplicationScoped
public class SoundSettings {

    public static final String WEBRTC_ENABLE = Setting.WEBRTC_ENABLE.key();
    public static final String RTC_CONSTRAINTS = Setting.RTC_CONSTRAINTS.key();

    @Inject
    Config config;

    public SoundSettings() {
    }

    /** For code and tests that live outside CDI. */
    public SoundSettings(Config config) {
        this.config = config;
    }

    /** Any setting of {@link Setting}'s table, as it is now. */
    public <T> T read(Setting<T> setting) {
        return setting.read(config);
    }

    public boolean webrtcEnabled() {
        return Setting.WEBRTC_ENABLE.read(config);
    }

    /** Why sound is off by configuration, or null when it is on. */
    public String soundOffReason() {
        if (!webrtcEnabled()) {
            return "sound is turned off on this server (webrtc.enable is False)";
        }
        return Setting.SOUND_POD_ENABLE.read(config) ? null : "sound is turned off on this server (desktop.pod's 'sound' entry has 'enable': False)";
    }

    /** The browser's RTCConfiguration before TURN credentials are added. */
    public JsonObject rtcConfiguration() {
        JsonValue value = json(Setting.RTC_CONFIGURATION);
        if (value.getValueType() != JsonValue.ValueType.OBJECT) {
            throw new InvalidSetting(Setting.RTC_CONFIGURATION.key(), "must be a dictionary with 'iceServers'");
        }
        return value.asJsonObject();
    }

    /** What the page passes to getUserMedia. */
    public JsonValue rtcConstraints() {
        return json(Setting.RTC_CONSTRAINTS);
    }

    /** webrtcbin's stun-server, as {@code stun://host:port} (od.config: desktop.envlocal's STUN_SERVER). */
    public Optional<String> stunServer() {
        return Setting.STUN_SERVER.optional(config);
    }

    private static final String COTURN = Setting.COTURN.key();

    /**
     * {@code webrtc.coturn}, when it is configured; a configured but incomplete entry is an
     * error that names the missing or wrong field.
     */
    public Optional<Coturn> coturn() {
        if (Setting.COTURN.optional(config).isEmpty()) {
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
            throw new InvalidSetting(COTURN, "field 'ttl' must be a whole number of seconds, got '" + ttl + "'");
        }
        if (ttlSeconds <= 0) {
            throw new InvalidSetting(COTURN, "field 'ttl' must be positive, got " + ttlSeconds);
        }
        if (!protocol.equals("turn") && !protocol.equals("turns")) {
            throw new InvalidSetting(COTURN, "field 'protocol' must be 'turn' or 'turns', got '" + protocol + "'");
        }
        return Optional.of(new Coturn(secret, ttlSeconds, protocol, url));
    }

    private String required(String field) {
        return config.getOptionalValue(COTURN + "." + field, String.class).filter(v -> !v.isBlank())
                .orElseThrow(() -> new InvalidSetting(COTURN, "lacks the field '" + field + "'"));
    }

    /** How long a desktop's stream lingers after its last listener leaves. */
    public java.time.Duration streamLinger() {
        return java.time.Duration.ofSeconds(Setting.STREAM_LINGER_SECONDS.read(config));
    }

    /** The file whose presence says this server is draining (see {@link Setting#DRAIN_FILE}). */
    public java.nio.file.Path drainFile() {
        return java.nio.file.Path.of(Setting.DRAIN_FILE.read(config));
    }

    /** {@code auto}, {@code webrtc} or {@code websocket} (see {@link Setting#TRANSPORT}); anything else is refused. */
    public String transport() {
        String transport = Setting.TRANSPORT.read(config).trim();
        if (!java.util.Set.of("auto", "webrtc", "websocket").contains(transport)) {
            throw new InvalidSetting(Setting.TRANSPORT.key(), "must be auto, webrtc or websocket, got '" + transport + "'");
        }
        return transport;
    }

    /** The CA certificates rtcsound trusts for a turns TURN server, when not the JVM's own. */
    public Optional<String> turnCaFile() {
        return Optional.ofNullable(Setting.TURN_CA_FILE.read(config));
    }

    public int maxFrameBytes() {
        return Setting.MAX_FRAME_BYTES.read(config);
    }

    private JsonValue json(Setting<String> setting) {
        try (JsonReader reader = Json.createReader(new StringReader(setting.read(config)))) {
            return reader.readValue();
        } catch (JsonException e) {
            throw new InvalidSetting(setting.key(), "is not valid JSON: " + e.getMessage());
        }
    }
}
