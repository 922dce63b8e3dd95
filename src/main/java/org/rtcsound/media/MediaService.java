package org.rtcsound.media;

import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.inject.Inject;

import java.util.function.Consumer;

import org.rtcsound.call.CallExecutor;
import org.rtcsound.call.MediaPeer;
import org.rtcsound.desktop.PulseAudioDesktop;

/**
 * Creates the media side of calls. Pipelines are started, fed and stopped on the
 * server's managed executor, never on a WebSocket thread or a GStreamer thread.
 */
@ApplicationScoped
public class MediaService implements CallExecutor {

    @Resource(lookup = "concurrent/media")
    ManagedExecutorService executor;

    /** Periodic checks of running calls (the microphone gate); Jakarta Concurrency's default. */
    @Resource
    ManagedScheduledExecutorService scheduler;

    @Inject
    GStreamerRuntime runtime;

    /** Why no call can be made now, or null. */
    public String unavailableReason() {
        return runtime.problem();
    }

    /**
     * @param stunServer webrtcbin's stun-server ({@code stun://host:port}), or null
     * @param turnServer webrtcbin's turn-server ({@code turn(s)://user:password@host:port}), or null
     */
    public MediaPeer createPeer(PulseAudioDesktop desktop, String stunServer, String turnServer,
            MediaPeer.Listener listener) {
        return new SoundPipeline(desktop, new IceServers(stunServer, turnServer), listener, scheduler);
    }

    @Override
    public SerialTasks serialWork(Consumer<Throwable> onFailure) {
        return new SerialTasks(executor, onFailure);
    }

    public int livePipelines() {
        return SoundPipeline.live();
    }

    public long pipelinesCreated() {
        return SoundPipeline.created();
    }
}
