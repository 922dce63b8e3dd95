package org.rtcsound.media;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.rtcsound.call.CallExecutor;
import org.rtcsound.call.Heal;
import org.rtcsound.call.MediaPeer;
import org.rtcsound.desktop.PulseAudioDesktop;

/**
 * Creates the media side of calls: each call is a listener of its desktop's stream, which
 * captures and encodes once for all its listeners. Streams and listeners are started, fed
 * and stopped on the server's managed executor, never on a WebSocket thread or a GStreamer
 * thread.
 */
@ApplicationScoped
public class MediaService implements CallExecutor {

    @Resource(lookup = "concurrent/media")
    ManagedExecutorService executor;

    /** Periodic checks of running calls (the microphone gate) and lingering streams; Jakarta Concurrency's default. */
    @Resource
    ManagedScheduledExecutorService scheduler;

    @Inject
    GStreamerRuntime runtime;

    /** Heals the media side makes by itself (a stalled stream), for the operators' figures. */
    @Inject
    Event<Heal> heals;

    private DesktopStreams streams;

    @PostConstruct
    void createStreams() {
        streams = new DesktopStreams(scheduler, executor);
        streams.watchForStalls(() -> heals.fire(Heal.STREAM_STALLED));
        // With the leaks tracer on, it lists every object created and destroyed until it is read: read it often.
        scheduler.scheduleWithFixedDelay(() -> gstreamerObjects(), 10, 10, TimeUnit.SECONDS);
    }

    @PreDestroy
    void stopStreams() {
        streams.stopAll();
    }

    /** Why no call can be made now, or null. */
    public String unavailableReason() {
        return runtime.problem();
    }

    /**
     * @param stunServer webrtcbin's stun-server ({@code stun://host:port}), or null
     * @param turnServer webrtcbin's turn-server ({@code turn(s)://user:password@host:port}), or null
     * @param linger     how long the desktop's stream keeps encoding after its last listener leaves
     * @param tuning     for the desktop's stream if this call starts it, and for the call's microphone
     */
    public MediaPeer createPeer(PulseAudioDesktop desktop, String stunServer, String turnServer, Duration linger,
            MediaTuning tuning, MediaPeer.Listener listener) {
        return new StreamListener(streams, desktop, new IceServers(stunServer, turnServer), linger, tuning, listener,
                scheduler);
    }

    /** A call on the WebSocket path: the desktop's Opus frames for the call to send, its microphone's frames back. */
    public MediaPeer createSocketPeer(PulseAudioDesktop desktop, Duration linger, MediaTuning tuning,
            MediaPeer.Listener listener) {
        return new SocketListener(streams, desktop, linger, tuning, listener, scheduler);
    }

    @Override
    public SerialTasks serialWork(Consumer<Throwable> onFailure) {
        return new SerialTasks(executor, onFailure);
    }

    /** Calls whose media side is alive: each is a listener of a desktop stream (WebRTC's or the WebSocket path's). */
    public int liveListeners() {
        return StreamListener.live() + SocketListener.live();
    }

    public long listenersCreated() {
        return StreamListener.created() + SocketListener.created();
    }

    /** Desktop streams capturing and encoding now, lingering ones included. */
    public int liveDesktopStreams() {
        return DesktopStream.live();
    }

    /** Desktop streams failed because no audio came from their PulseAudio (then started afresh by their pages). */
    public long desktopStreamStalls() {
        return streams.stalls();
    }

    public long desktopStreamsCreated() {
        return DesktopStream.created();
    }

    /**
     * GStreamer objects alive beyond those alive at start-up, as GStreamer's leaks tracer
     * counts them; null unless the server runs with GST_TRACERS=leaks.
     */
    public Long gstreamerObjects() {
        LiveObjects objects = runtime.liveObjects();
        return objects == null ? null : objects.count();
    }

    /** The same count by type (those that differ from start-up); empty unless the leaks tracer runs. */
    public Map<String, Long> gstreamerObjectsByType() {
        LiveObjects objects = runtime.liveObjects();
        return objects == null ? Map.of() : objects.byType();
    }

    /** One line per desktop stream: whose sound, how many listen, whether it lingers. */
    public List<StreamStatus> desktopStreams() {
        return streams.status().stream().map(status -> new StreamStatus(
                status.desktop().server() == null ? "default" : status.desktop().server(),
                status.desktop().speakerSink(), status.listeners(), status.lingering(),
                status.startedAt().toString(), status.levelDb(), status.onsets())).toList();
    }

    /**
     * What the admin status shows of one desktop stream; {@code levelDb}: its sound now, in
     * dBFS (-100: silence); {@code onsets}: the latest traced onsets, empty unless traced.
     */
    public record StreamStatus(String server, String speakerSink, int listeners, boolean lingering,
            String startedAt, double levelDb, List<TracedOnset> onsets) {
    }
}
