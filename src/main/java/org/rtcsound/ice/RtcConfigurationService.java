package org.rtcsound.ice;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;

import org.rtcsound.config.SoundSettings;

/**
 * The browser's RTCConfiguration: the configured {@code webrtc.rtc_configuration}
 * ({@code iceServers} with STUN). TURN entries with time-limited credentials join it
 * once coturn is configured.
 */
@ApplicationScoped
public class RtcConfigurationService {

    @Inject
    SoundSettings settings;

    public JsonObject forUser(String userId) {
        return settings.rtcConfiguration();
    }
}
