package org.rtcsound.desktop;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.Config;

/**
 * Finds the PulseAudio of the desktop a session asks for. For now every user reaches
 * the one configured server: {@code rtcsound.pulse.server}, else the standard
 * {@code PULSE_SERVER} environment variable, else libpulse's default.
 */
@ApplicationScoped
public class DesktopLocator {

    public static final String SERVER = "rtcsound.pulse.server";
    public static final String SPEAKER_SINK = "rtcsound.pulse.speaker-sink";
    public static final String MICROPHONE_SINK = "rtcsound.pulse.microphone-sink";

    @Inject
    Config config;

    public PulseAudioDesktop locate(String userId) {
        String server = config.getOptionalValue(SERVER, String.class)
                .or(() -> config.getOptionalValue("PULSE_SERVER", String.class))
                .filter(s -> !s.isBlank())
                .orElse(null);
        return new PulseAudioDesktop(server,
                config.getOptionalValue(SPEAKER_SINK, String.class).orElse("virtspk"),
                config.getOptionalValue(MICROPHONE_SINK, String.class).orElse("virtmic"));
    }
}
