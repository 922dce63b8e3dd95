package org.rtcsound.application;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.rtcsound.call.Caller;
import org.rtcsound.call.Calls;
import org.rtcsound.call.Heal;
import org.rtcsound.call.AudioFrame;
import org.rtcsound.call.MediaFigures;
import org.rtcsound.call.MediaPath;
import org.rtcsound.call.MediaPeer;
import org.rtcsound.call.Refusal;
import org.rtcsound.config.Setting;
import org.rtcsound.config.SoundSettings;
import org.rtcsound.desktop.DesktopLocator;
import org.rtcsound.desktop.PulseAudioDesktop;
import org.rtcsound.ice.RtcConfigurationService;
import org.rtcsound.media.MediaService;
import org.rtcsound.media.MediaTuning;
import org.rtcsound.metrics.CallFigures;
import org.rtcsound.security.SessionLimits;
import org.rtcsound.security.TokenVerifier;

/**
 * Opening a call, in the order that refuses cheapest first: the token says who calls, the
 * token's desktop (or its user's, as the locator finds it) is where, the limits give a
 * place, a TURN credential of the call's own, then GStreamer builds the media side. Each
 * adapter refuses with a {@link org.rtcsound.call.Refusal}.
 */
@ApplicationScoped
public class OpenCall implements Calls {

    @Inject
    SoundSettings settings;

    @Inject
    DesktopLocator desktops;

    @Inject
    MediaService media;

    @Inject
    RtcConfigurationService rtcConfiguration;

    @Inject
    TokenVerifier tokens;

    @Inject
    SessionLimits limits;

    @Inject
    CallFigures figures;

    @Override
    public Caller authenticate(String token) {
        return tokens.verify(token);
    }

    @Override
    public String unavailableReason() {
        String off = settings.soundOffReason();
        return off != null ? off : media.unavailableReason();
    }

    @Override
    public MediaPath defaultPath() {
        return "websocket".equals(settings.transport()) ? MediaPath.WEBSOCKET : MediaPath.WEBRTC;
    }

    @Override
    public boolean preparesBeforeHello() {
        return settings.read(Setting.PREPARE_BEFORE_HELLO);
    }

    @Override
    public String webSocketPathUnavailable() {
        return "webrtc".equals(settings.transport())
                ? "this server carries sound over WebRTC only (rtcsound.transport=webrtc)" : null;
    }

    @Override
    public MediaPeer open(Caller caller, MediaPath path, MediaPeer.Listener listener) {
        // The token names the desktop (or its user, whose desktop the locator finds); the HELLO uid is only a label.
        PulseAudioDesktop desktop = caller.desktop() != null ? desktops.atAddress(caller.desktop())
                : desktops.locate(caller.user());
        SessionLimits.Permit permit = limits.acquire(caller.name());
        try {
            // A TURN credential of its own for every call, so a new call never meets an expired one.
            MediaTuning tuning = tuning();
            MediaPeer peer = path == MediaPath.WEBSOCKET
                    ? media.createSocketPeer(desktop, settings.streamLinger(), tuning, listener)
                    : media.createPeer(desktop, settings.stunServer().orElse(null),
                            rtcConfiguration.webrtcbinTurnServer(caller.name()).orElse(null),
                            settings.streamLinger(), tuning, listener);
            figures.opened();
            return new LimitedPeer(peer, permit);
        } catch (RuntimeException e) {
            permit.close();
            throw e;
        }
    }

    /** The media settings in force now; a capture buffer shorter than its segment is refused. */
    private MediaTuning tuning() {
        int captureLatency = settings.read(Setting.CAPTURE_LATENCY_MS);
        int captureBuffer = settings.read(Setting.CAPTURE_BUFFER_MS);
        if (captureBuffer < captureLatency) {
            throw new Refusal.InvalidSetting(Setting.CAPTURE_BUFFER_MS.key(), "must be at least "
                    + Setting.CAPTURE_LATENCY_MS.key() + " (" + captureLatency + "), got " + captureBuffer);
        }
        int microphoneLatency = settings.read(Setting.MICROPHONE_LATENCY_MS);
        int microphoneBuffer = settings.read(Setting.MICROPHONE_BUFFER_MS);
        if (microphoneBuffer < microphoneLatency) {
            throw new Refusal.InvalidSetting(Setting.MICROPHONE_BUFFER_MS.key(), "must be at least "
                    + Setting.MICROPHONE_LATENCY_MS.key() + " (" + microphoneLatency + "), got " + microphoneBuffer);
        }
        return new MediaTuning(captureLatency, captureBuffer, settings.read(Setting.OPUS_FRAME_MS),
                settings.read(Setting.OPUS_AUDIO_TYPE), microphoneBuffer, microphoneLatency,
                settings.read(Setting.ICE_CHECK_PACING_MS), settings.read(Setting.TRACE_ONSETS));
    }

    @Override
    public void refused(Refusal refusal) {
        figures.refused(refusal);
    }

    @Override
    public void failed(String message) {
        figures.failed();
    }

    @Override
    public void connected(String callId, MediaPeer peer, java.time.Duration sinceHello) {
        figures.connected(callId, peer, sinceHello);
    }

    @Override
    public void healed(Heal heal) {
        figures.healed(heal);
    }

    @Override
    public void ended(String callId) {
        figures.ended(callId);
    }

    /** A call that gives its place back to the limits when it ends. */
    private record LimitedPeer(MediaPeer peer, SessionLimits.Permit permit) implements MediaPeer {
        @Override
        public void start() {
            peer.start();
        }

        @Override
        public void applyAnswer(String sdp) {
            peer.applyAnswer(sdp);
        }

        @Override
        public void addRemoteCandidate(int sdpMLineIndex, String candidate) {
            peer.addRemoteCandidate(sdpMLineIndex, candidate);
        }

        @Override
        public void microphoneFrame(AudioFrame frame) {
            peer.microphoneFrame(frame);
        }

        @Override
        public MediaFigures figures() {
            return peer.figures();
        }

        @Override
        public java.util.Map<String, java.time.Instant> startup() {
            return peer.startup();
        }

        @Override
        public String desktop() {
            return peer.desktop();
        }

        @Override
        public void close() {
            try {
                peer.close();
            } finally {
                permit.close();
            }
        }
    }
}
