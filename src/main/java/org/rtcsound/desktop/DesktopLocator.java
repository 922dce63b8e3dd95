package org.rtcsound.desktop;

import java.io.StringReader;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

import org.eclipse.microprofile.config.Config;
import org.rtcsound.call.Refusal.InvalidSetting;
import org.rtcsound.call.Refusal.NoDesktop;
import org.rtcsound.config.Setting;
import org.rtcsound.kubernetes.DesktopPods;

/**
 * Finds the PulseAudio of the desktop a session asks for.
 *
 * <ul>
 * <li>On Kubernetes ({@code rtcsound.desktops.source=kubernetes}), the user's running
 * desktop pod ({@link DesktopPods}) at {@code rtcsound.pulse.port}.</li>
 * <li>On a single machine serving several desktops, a static map
 * {@code rtcsound.desktops} (od.config dict or JSON: user id to PulseAudio server,
 * {@code 'tcp:host:port'}, or a bare host that gets {@code rtcsound.pulse.port}, 4713; or
 * to {@code {'server': ..., 'cookie': ...}}). A user the map does not name has no desktop.</li>
 * <li>Without a map (the embedded default), every user reaches the one configured
 * server: {@code rtcsound.pulse.server}, else {@code PULSE_SERVER}, else libpulse's
 * default.</li>
 * </ul>
 * The cookie rtcsound authenticates with is the desktop pod's {@code PULSEAUDIO_COOKIE}, the
 * map entry's {@code cookie}, else {@code rtcsound.pulse.cookie} (environment
 * {@code RTCSOUND_PULSE_COOKIE}); without one, the desktop must admit rtcsound by address.
 * Read at every call, so a changed map is in force for the next session.
 */
@ApplicationScoped
public class DesktopLocator {

    public static final String SERVER = "rtcsound.pulse.server";
    public static final String PORT = Setting.PULSE_PORT.key();
    public static final String DESKTOPS = "rtcsound.desktops";
    public static final String SPEAKER_SINK = "rtcsound.pulse.speaker-sink";
    public static final String MICROPHONE_SINK = "rtcsound.pulse.microphone-sink";
    public static final String COOKIE = "rtcsound.pulse.cookie";

    @Inject
    Config config;

    @Inject
    DesktopPods pods;

    public PulseAudioDesktop locate(String userId) {
        if (pods.enabled()) {
            DesktopPods.DesktopPod pod = pods.desktop(userId)
                    .orElseThrow(() -> new NoDesktop("no desktop is running for user '" + userId + "'"));
            PulseCookie cookie = podCookie(pod);
            return desktop(withPort(pod.address()), cookie != null ? cookie : configuredCookie());
        }
        String map = config.getOptionalValue(DESKTOPS, String.class).orElse(null);
        if (map == null) {
            String server = config.getOptionalValue(SERVER, String.class)
                    .or(() -> config.getOptionalValue("PULSE_SERVER", String.class))
                    .filter(s -> !s.isBlank())
                    .orElse(null);
            return desktop(server, configuredCookie());
        }
        JsonValue entry = desktops(map).get(userId);
        if (entry instanceof JsonObject desktop && desktop.get("server") instanceof JsonString server
                && !server.getString().isBlank()) {
            JsonValue cookie = desktop.get("cookie");
            if (cookie != null && !(cookie instanceof JsonString)) {
                throw new InvalidSetting(DESKTOPS, "the cookie of '" + userId + "' must be a string");
            }
            return desktop(withPort(server.getString()), cookie == null ? configuredCookie()
                    : cookie(((JsonString) cookie).getString(), DESKTOPS + " (the cookie of '" + userId + "')"));
        }
        if (!(entry instanceof JsonString text) || text.getString().isBlank()) {
            throw new NoDesktop("no desktop is running for user '" + userId + "'");
        }
        return desktop(withPort(text.getString()), configuredCookie());
    }

    /**
     * The desktop at an address a verified token names (abcdesktop's {@code hash}: a pod IP
     * or host name; or {@code tcp:host:port}): only the port is added, nothing is looked up
     * but the cookie, which on Kubernetes is the cookie of the pod at that IP.
     */
    public PulseAudioDesktop atAddress(String address) {
        if (!ADDRESS.matcher(address).matches()) {
            throw new NoDesktop("the token's desktop address is not a host or tcp:host:port");
        }
        PulseCookie cookie = pods.enabled()
                ? pods.at(address).map(DesktopLocator::podCookie).orElseGet(this::configuredCookie)
                : configuredCookie();
        return desktop(withPort(address), cookie);
    }

    private PulseAudioDesktop desktop(String server, PulseCookie cookie) {
        return new PulseAudioDesktop(server,
                config.getOptionalValue(SPEAKER_SINK, String.class).orElse("virtspk"),
                config.getOptionalValue(MICROPHONE_SINK, String.class).orElse("virtmic"), cookie);
    }

    /** A host name, an IPv4 or bracketed IPv6 address, optionally as tcp:host:port. */
    private static final Pattern ADDRESS = Pattern.compile(
            "(tcp:)?([A-Za-z0-9.-]{1,253}|\\[[0-9A-Fa-f:.]{2,45}\\])(:[0-9]{1,5})?");

    private PulseCookie configuredCookie() {
        return config.getOptionalValue(COOKIE, String.class).filter(s -> !s.isBlank())
                .map(value -> cookie(value, COOKIE)).orElse(null);
    }

    private static PulseCookie cookie(String value, String setting) {
        try {
            return PulseCookie.fromAbcdesktopValue(value);
        } catch (IllegalArgumentException e) {
            throw new InvalidSetting(setting, e.getMessage());
        }
    }

    /** A pod without a cookie of its own is reached without one (by address), or with rtcsound.pulse.cookie. */
    private static PulseCookie podCookie(DesktopPods.DesktopPod pod) {
        if (pod.pulseCookie() == null) {
            return null;
        }
        try {
            return PulseCookie.fromAbcdesktopValue(pod.pulseCookie());
        } catch (IllegalArgumentException e) {
            throw new NoDesktop("the PULSEAUDIO_COOKIE of desktop pod " + pod.name() + " " + e.getMessage());
        }
    }

    /** A PulseAudio server string; a bare host gets the native port. */
    private String withPort(String server) {
        if (server.startsWith("tcp:") || server.startsWith("unix:") || server.startsWith("/")) {
            return server;
        }
        return "tcp:" + server + ":" + Setting.PULSE_PORT.read(config);
    }

    private static JsonObject desktops(String map) {
        try {
            JsonValue value = Json.createReader(new StringReader(map)).readValue();
            if (value.getValueType() == JsonValue.ValueType.OBJECT) {
                return value.asJsonObject();
            }
        } catch (JsonException e) {
            // refused below
        }
        throw new InvalidSetting(DESKTOPS, "must be a dict of user id to PulseAudio server");
    }
}
