package org.rtcsound.signalling;

import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.rtcsound.config.SoundSettings;
import org.rtcsound.desktop.DesktopLocator;
import org.rtcsound.ice.RtcConfigurationService;
import org.rtcsound.media.MediaPeer;
import org.rtcsound.media.MediaService;
import org.rtcsound.media.SerialTasks;

/** Binds a signalling session to the configuration in force, the user's desktop and GStreamer. */
@ApplicationScoped
public class SoundCalls implements SignallingSession.Calls {

    @Inject
    SoundSettings settings;

    @Inject
    DesktopLocator desktops;

    @Inject
    MediaService media;

    @Inject
    RtcConfigurationService rtcConfiguration;

    @Override
    public String unavailableReason() {
        String off = settings.soundOffReason();
        return off != null ? off : media.unavailableReason();
    }

    @Override
    public MediaPeer open(String uid, MediaPeer.Listener listener) {
        // A TURN credential of its own for every call, so a new call never meets an expired one.
        return media.createPeer(desktops.locate(uid), settings.stunServer().orElse(null),
                rtcConfiguration.webrtcbinTurnServer(uid).orElse(null), listener);
    }

    @Override
    public SerialTasks serialTasks(Consumer<Throwable> onFailure) {
        return media.serialTasks(onFailure);
    }
}
