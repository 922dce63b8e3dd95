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
 * {@code 'tcp:host:port'}, or a bare host that gets {@code rtcsound.pulse.port}, 4713).
 * A user the map does not name has no desktop.</li>
 * <li>Without a map (the embedded default), every user reaches the one configured
 * server: {@code rtcsound.pulse.server}, else {@code PULSE_SERVER}, else libpulse's
 * default.</li>
 * </ul>
 * Read at every call, so a changed map is in force for the next session.
 */
@ApplicationScoped
public class DesktopLocator {

    public static final String SERVER = "rtcsound.pulse.server";
    public static final String PORT = Setting.PULSE_PORT.key();
    public static final String DESKTOPS = "rtcsound.desktops";
    public static final String SPEAKER_SINK = "rtcsound.pulse.speaker-sink";
    public static final String MICROPHONE_SINK = "rtcsound.pulse.microphone-sink";

    @Inject
    Config config;

    @Inject
    DesktopPods pods;

    public PulseAudioDesktop locate(String userId) {
        return desktop(server(userId));
    }

    /**
     * The desktop at an address a verified token names (abcdesktop's {@code hash}: a pod IP
     * or host name; or {@code tcp:host:port}): only the port is added, nothing is looked up.
     */
    public PulseAudioDesktop atAddress(String address) {
        if (!ADDRESS.matcher(address).matches()) {
            throw new NoDesktop("the token's desktop address is not a host or tcp:host:port");
        }
        return desktop(withPort(address));
    }

    private PulseAudioDesktop desktop(String server) {
        return new PulseAudioDesktop(server,
                config.getOptionalValue(SPEAKER_SINK, String.class).orElse("virtspk"),
                config.getOptionalValue(MICROPHONE_SINK, String.class).orElse("virtmic"));
    }

    /** A host name, an IPv4 or bracketed IPv6 address, optionally as tcp:host:port. */
    private static final Pattern ADDRESS = Pattern.compile(
            "(tcp:)?([A-Za-z0-9.-]{1,253}|\\[[0-9A-Fa-f:.]{2,45}\\])(:[0-9]{1,5})?");

    private String server(String userId) {
        if (pods.enabled()) {
            return withPort(pods.desktop(userId).map(DesktopPods.DesktopPod::address)
                    .orElseThrow(() -> new NoDesktop("no desktop is running for user '" + userId + "'")));
        }
        String map = config.getOptionalValue(DESKTOPS, String.class).orElse(null);
        if (map == null) {
            return config.getOptionalValue(SERVER, String.class)
                    .or(() -> config.getOptionalValue("PULSE_SERVER", String.class))
                    .filter(s -> !s.isBlank())
                    .orElse(null);
        }
        JsonValue address = desktops(map).get(userId);
        if (!(address instanceof JsonString text) || text.getString().isBlank()) {
            throw new NoDesktop("no desktop is running for user '" + userId + "'");
        }
        return withPort(text.getString());
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
