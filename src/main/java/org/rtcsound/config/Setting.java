package org.rtcsound.config;

import java.util.Optional;
import java.util.function.Function;

import org.eclipse.microprofile.config.Config;
import org.rtcsound.call.Refusal.InvalidSetting;

/**
 * Every setting rtcsound reads, in one table: its key, its default and its parser. All
 * readers go through here, so a key has one default wherever it is read, and a value
 * rtcsound cannot use is an {@link InvalidSetting} naming the key and the value, never a
 * silent fallback or a converter's exception. Values come as MicroProfile Config gives
 * them (od.config's ConfigSource writes Python's True as {@code true}; the environment
 * gives text as it is); an empty value counts as unset, as MicroProfile Config says.
 *
 * @param <T> the parsed type
 */
public final class Setting<T> {

    // --- sound (abcdesktop's own keys) ---
    /** On unless turned off: rtcsound is installed to play sound (abcdesktop's own default is False). */
    public static final Setting<Boolean> WEBRTC_ENABLE = flag("webrtc.enable", true);
    /** desktop.pod's 'sound' entry, flattened by the od.config ConfigSource. */
    public static final Setting<Boolean> SOUND_POD_ENABLE = flag("desktop.pod.sound.enable", true);
    /** JSON: the browser's RTCConfiguration before TURN credentials are added. */
    public static final Setting<String> RTC_CONFIGURATION = text("webrtc.rtc_configuration", "{\"iceServers\":[]}");
    /** JSON: what the page passes to getUserMedia. */
    public static final Setting<String> RTC_CONSTRAINTS = text("webrtc.rtc_constraints",
            "{\"video\":false,\"audio\":{\"echoCancellation\":true,\"noiseSuppression\":true,\"autoGainControl\":true}}");
    /** od.config's desktop.envlocal STUN_SERVER, as the flattened key the ConfigSource provides. */
    public static final Setting<String> STUN_SERVER = text("desktop.envlocal.STUN_SERVER", null);
    /** Present when coturn is configured; its fields are {@code webrtc.coturn.<field>}. */
    public static final Setting<String> COTURN = text("webrtc.coturn", null);

    /** Seconds a desktop's stream keeps encoding after its last listener left, so a reload finds it warm. */
    public static final Setting<Integer> STREAM_LINGER_SECONDS = atLeast("rtcsound.stream.linger-seconds", 30, 0);

    /**
     * While this file exists the server is draining: readiness is DOWN so that no new call lands
     * here. The chart's preStop hook creates it before Liberty is told to stop.
     */
    public static final Setting<String> DRAIN_FILE = text("rtcsound.drain-file", "/tmp/rtcsound.draining");

    /**
     * Which path calls take: {@code auto} (WebRTC; the WebSocket path when the page asks, as it
     * does when ICE does not connect), {@code websocket} (every call, for networks known to pass
     * nothing but https) or {@code webrtc} (never over the WebSocket).
     */
    public static final Setting<String> TRANSPORT = text("rtcsound.transport", "auto");

    /**
     * PEM CA certificates that rtcsound trusts for a {@code turns} TURN server's certificate
     * (its own TLS leg, see TurnTlsTunnel); unset: the JVM's trust store.
     */
    public static final Setting<String> TURN_CA_FILE = text("rtcsound.turn.ca-file", null);

    // --- media tuning (docs/benchmarks.md measures each against the other values) ---
    /** pulsesrc's latency-time: the capture's segment, what one read of the desktop's sink waits for. */
    public static final Setting<Integer> CAPTURE_LATENCY_MS = atLeast("rtcsound.capture.latency-ms", 10, 1);
    /** pulsesrc's buffer-time: how much the capture may hold before PulseAudio drops (at least its latency). */
    public static final Setting<Integer> CAPTURE_BUFFER_MS = atLeast("rtcsound.capture.buffer-ms", 100, 2);
    /** opusenc's frame-size, ms: each frame waits this long for its sound. */
    public static final Setting<String> OPUS_FRAME_MS = oneOf("rtcsound.opus.frame-ms", "10", "2.5", "5", "10",
            "20", "40", "60");
    /** opusenc's audio-type: restricted-lowdelay leaves out the 2.5 ms look-ahead of the others. */
    public static final Setting<String> OPUS_AUDIO_TYPE = oneOf("rtcsound.opus.audio-type", "restricted-lowdelay",
            "restricted-lowdelay", "generic", "voice");
    /** The microphone's pulsesink buffer-time: what may wait in the desktop's microphone sink. */
    public static final Setting<Integer> MICROPHONE_BUFFER_MS = atLeast("rtcsound.microphone.buffer-ms", 60, 2);
    /** The microphone's pulsesink latency-time: the segment it writes into the desktop's microphone sink. */
    public static final Setting<Integer> MICROPHONE_LATENCY_MS = atLeast("rtcsound.microphone.latency-ms", 10, 1);
    /**
     * libnice's Ta (its {@code stun-pacing-timer}), ms between two ICE connectivity checks the
     * server sends; 5 is RFC 8445's floor. Why it matters: StreamListener#tuneIceAgent.
     */
    public static final Setting<Integer> ICE_CHECK_PACING_MS = atLeast("rtcsound.ice.check-pacing-ms", 5, 1);
    /**
     * Off unless asked for: timestamps each onset of the desktop's sound as it is captured,
     * encoded and handed to each call, shown in the admin status (for the latency benchmark).
     */
    public static final Setting<Boolean> TRACE_ONSETS = flag("rtcsound.trace.onsets", false);

    // --- signalling and limits ---
    /**
     * A call whose caller is known when its WebSocket opens (a token in the handshake) is
     * opened and starts making its offer then, before its HELLO comes (the HELLO is then
     * answered with the offer ready, or nearly). Two levers runs side by side: first sound
     * 268 and 122 ms sooner, offer -> first sound 10 and 25 ms (docs/benchmarks.md). The call
     * is the token's own desktop's, which the caller may have anyway: a HELLO refused for its
     * uid releases it, and only a refused token builds nothing.
     */
    public static final Setting<Boolean> PREPARE_BEFORE_HELLO = flag("rtcsound.signalling.prepare-before-hello", true);
    public static final Setting<Integer> MAX_FRAME_BYTES = atLeast("rtcsound.signalling.max-frame-bytes", 65536, 1);
    public static final Setting<Integer> SESSIONS_PER_USER = atLeast("rtcsound.limits.sessions-per-user", 8, 0);
    public static final Setting<Integer> SESSIONS = atLeast("rtcsound.limits.sessions", 200, 0);
    public static final Setting<Integer> NEW_SESSIONS_PER_MINUTE =
            atLeast("rtcsound.limits.new-sessions-per-client-per-minute", 60, 1);

    // --- security ---
    /** abcdesktop's od.config entry for its desktop tokens; its public key file is ours too. */
    public static final Setting<String> DESKTOP_PUBLIC_KEY_FILE = text("jwt_token_desktop.jwtdesktoppublickeyfile", null);
    public static final Setting<String> PUBLIC_KEY_FILE = text("rtcsound.jwt.public-key-file", null);
    public static final Setting<String> PAYLOAD_PRIVATE_KEY_FILE = text("rtcsound.jwt.payload-private-key-file", null);
    public static final Setting<Integer> CLOCK_SKEW = atLeast("rtcsound.jwt.clock-skew-seconds", 30, 0);
    /** Off unless asked for: the demo signs in whoever asks from this machine. */
    public static final Setting<Boolean> DEMO_SIGN_IN = flag("rtcsound.security.demo-sign-in", false);
    public static final Setting<Boolean> TRUST_FORWARDED_PROTO = flag("rtcsound.security.trust-forwarded-proto", false);
    /** Liberty's https port, for redirects and page-info. */
    public static final Setting<Integer> HTTPS_PORT = port("https.port", 9443);

    // --- desktops ---
    public static final Setting<Integer> PULSE_PORT = port("rtcsound.pulse.port", 4713);
    public static final Setting<String> DESKTOPS_SOURCE = text("rtcsound.desktops.source", "static");
    public static final Setting<String> DESKTOPS_NAMESPACE = text("rtcsound.desktops.namespace", "abcdesktop");
    public static final Setting<String> DESKTOPS_SELECTOR = text("rtcsound.desktops.selector", "type=x11server");
    public static final Setting<String> DESKTOPS_USER_LABEL = text("rtcsound.desktops.user-label", "access_userid");

    private final String key;
    private final T fallback;
    private final Function<String, T> parser;

    private Setting(String key, T fallback, Function<String, T> parser) {
        this.key = key;
        this.fallback = fallback;
        this.parser = parser;
    }

    public String key() {
        return key;
    }

    /** The value in force, else the default; for settings without a default, see {@link #optional}. */
    public T read(Config config) {
        return optional(config).orElse(fallback);
    }

    /** The configured value, parsed; empty when it is not set (or set empty). */
    public Optional<T> optional(Config config) {
        return config.getOptionalValue(key, String.class).map(String::trim).filter(text -> !text.isEmpty())
                .map(parser);
    }

    /** Parses {@code text} as this setting's value, as {@link #read} would. */
    public T parse(String text) {
        return parser.apply(text.trim());
    }

    private static Setting<String> text(String key, String fallback) {
        return new Setting<>(key, fallback, text -> text);
    }

    /** Python's True/False as od.config writes them, and true/false as JSON and the environment do. */
    private static Setting<Boolean> flag(String key, boolean fallback) {
        return new Setting<>(key, fallback, text -> switch (text) {
            case "True", "true" -> true;
            case "False", "false" -> false;
            default -> throw new InvalidSetting(key, "expected True or False, got '" + text + "'");
        });
    }

    private static Setting<String> oneOf(String key, String fallback, String... values) {
        java.util.List<String> allowed = java.util.List.of(values);
        return new Setting<>(key, fallback, text -> {
            if (!allowed.contains(text)) {
                throw new InvalidSetting(key, "must be one of " + String.join(", ", allowed) + ", got '" + text + "'");
            }
            return text;
        });
    }

    private static Setting<Integer> atLeast(String key, int fallback, int minimum) {
        return new Setting<>(key, fallback, text -> {
            int value = wholeNumber(key, text);
            if (value < minimum) {
                throw new InvalidSetting(key, "must be at least " + minimum + ", got " + value);
            }
            return value;
        });
    }

    private static Setting<Integer> port(String key, int fallback) {
        return new Setting<>(key, fallback, text -> {
            int value = wholeNumber(key, text);
            if (value < 1 || value > 65535) {
                throw new InvalidSetting(key, "must be a port from 1 to 65535, got " + value);
            }
            return value;
        });
    }

    private static int wholeNumber(String key, String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new InvalidSetting(key, "must be a whole number, got '" + text + "'");
        }
    }

    @Override
    public String toString() {
        return key;
    }
}
