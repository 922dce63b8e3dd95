package org.rtcsound.ice;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

import org.rtcsound.config.Coturn;
import org.rtcsound.config.SoundSettings;

/**
 * The browser's RTCConfiguration, merged as pyos merges it: the configured
 * {@code webrtc.rtc_configuration} (its {@code iceServers}, STUN), plus one TURN entry with
 * a credential that expires after {@code webrtc.coturn}'s {@code ttl} and is bound to the
 * user. Without {@code webrtc.coturn}, STUN only. Also webrtcbin's own TURN server for a
 * new call, with a credential of its own (over TLS through {@link TurnTlsTunnel}).
 */
@ApplicationScoped
public class RtcConfigurationService {

    @Inject
    SoundSettings settings;

    @Inject
    TurnTlsTunnel tunnel;

    Clock clock = Clock.systemUTC();

    public JsonObject forUser(String userId) {
        JsonObject configured = settings.rtcConfiguration();
        Optional<Coturn> coturn = settings.coturn();
        if (coturn.isEmpty()) {
            return configured;
        }
        TurnCredential credential = credential(coturn.get(), userId);
        JsonArrayBuilder servers = Json.createArrayBuilder(configured.containsKey("iceServers")
                ? configured.getJsonArray("iceServers") : JsonObject.EMPTY_JSON_ARRAY.asJsonArray());
        servers.add(Json.createObjectBuilder()
                .add("urls", coturn.get().protocol() + ":" + coturn.get().url())
                .add("username", credential.username())
                .add("credential", credential.credential()));
        return Json.createObjectBuilder(configured).add("iceServers", servers).build();
    }

    /** webrtcbin's turn-server URI for a new call, or empty without coturn. */
    public Optional<String> webrtcbinTurnServer(String userId) {
        return settings.coturn().map(coturn -> {
            TurnCredential credential = credential(coturn, userId);
            if ("turns".equals(coturn.protocol())) {
                // libnice cannot speak TLS: webrtcbin speaks TURN over TCP to the tunnel, which adds it
                int port = tunnel.localPort(coturn.url(), settings.turnCaFile().orElse(null));
                return credential.webrtcbinUri("turn", "127.0.0.1:" + port) + "?transport=tcp";
            }
            return credential.webrtcbinUri(coturn.protocol(), coturn.url());
        });
    }

    private TurnCredential credential(Coturn coturn, String userId) {
        Instant expiry = clock.instant().plusSeconds(coturn.ttlSeconds());
        return TurnCredential.issue(coturn.staticAuthSecret(), userId, expiry);
    }
}
