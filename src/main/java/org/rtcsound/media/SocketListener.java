package org.rtcsound.media;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.freedesktop.gstreamer.Bin;
import org.freedesktop.gstreamer.Buffer;
import org.freedesktop.gstreamer.Bus;
import org.freedesktop.gstreamer.Element;
import org.freedesktop.gstreamer.FlowReturn;
import org.freedesktop.gstreamer.Gst;
import org.freedesktop.gstreamer.GstObject;
import org.freedesktop.gstreamer.Pipeline;
import org.freedesktop.gstreamer.Sample;
import org.freedesktop.gstreamer.State;
import org.freedesktop.gstreamer.elements.AppSink;
import org.freedesktop.gstreamer.elements.AppSrc;
import org.rtcsound.call.AudioFrame;
import org.rtcsound.call.MediaFigures;
import org.rtcsound.call.MediaPeer;
import org.rtcsound.desktop.PulseAudioDesktop;

/**
 * One listener of a desktop's stream on the WebSocket path: a bin off the stream's tee
 * hands each encoded Opus frame, with its capture time, to the call (which writes it on the
 * signalling socket). No SDP, no ICE: the call is up with its first frame.
 *
 * <p>The browser's microphone comes back as Opus frames too, into a small pipeline of the
 * call's own (appsrc, opusdec, pulsesink into the desktop's microphone sink), built with the
 * first frame and paused to READY when the frames stop for {@link MicrophoneGate#IDLE_MILLIS}
 * (so the desktop sees no microphone stream while the user's is off), as on the WebRTC path.
 */
final class SocketListener implements MediaPeer, StreamBranch {

    private static final Logger LOG = Logger.getLogger(SocketListener.class.getName());

    private static final AtomicInteger LIVE = new AtomicInteger();
    private static final AtomicLong CREATED = new AtomicLong();

    // The leaky queue keeps a slow call from ever holding up the tee; appsink drops what its
    // thread has not yet handed on (the socket has its own bound, in the transport).
    private static final String BRANCH = String.join(" ",
            "queue max-size-time=40000000 max-size-buffers=0 max-size-bytes=0 leaky=downstream",
            "! errorignore ignore-error=true ignore-notlinked=true ignore-notnegotiated=true",
            "! appsink name=frames sync=false async=false emit-signals=true max-buffers=10 drop=true");

    /**
     * WebCodecs' AudioEncoder makes Opus without an OpusHead: the caps say what it is. The
     * queue in appsrc is bounded and drops the oldest, so a browser sending too fast costs
     * only its own frames.
     */
    private static String microphone(MediaTuning tuning) {
        return String.join(" ",
                "appsrc name=frames is-live=true format=time do-timestamp=true max-bytes=16000 leaky-type=downstream",
                "caps=audio/x-opus,rate=48000,channels=1,channel-mapping-family=0,stream-count=1,coupled-count=0",
                "! opusdec plc=true ! audioconvert ! audioresample",
                "! " + tuning.microphoneSink());
    }

    private enum Microphone { NONE, OPENING, PLAYING, IDLE, FAILED }

    private final DesktopStreams streams;
    private final PulseAudioDesktop desktop;
    private final Duration linger;
    private final MediaTuning tuning;
    private final Listener listener;
    private final ScheduledExecutorService scheduler;
    private final Object lock = new Object();
    /**
     * Held across the microphone pipeline's state changes and its teardown (they wait for
     * PulseAudio), never by the socket's reading thread or the desktop stream's: those take
     * only {@code lock}, briefly.
     */
    private final Object microphoneLock = new Object();
    private final AppSink.NEW_SAMPLE onSample = this::frameEncoded;

    private DesktopStream stream;
    private Bin branch;
    private AppSink frames;
    private boolean inStream;
    private boolean closed;
    private boolean failed;
    private boolean firstFrameSent;

    private Microphone microphone = Microphone.NONE;
    private Pipeline microphonePipeline;
    private AppSrc microphoneFrames;
    private Bus microphoneBus;
    private final Bus.ERROR microphoneErrors = this::microphoneError;
    private ScheduledFuture<?> microphoneWatch;
    /** Every second: the session asks the browser for a sign of life when it has been quiet (no RTCP here). */
    private ScheduledFuture<?> presenceWatch;
    private volatile long lastMicrophoneFrame;

    private final AtomicLong framesSent = new AtomicLong();
    private final AtomicLong bytesSent = new AtomicLong();
    private long ratedAt = System.nanoTime();
    private long ratedBytes;
    private Double bitsPerSecond;

    SocketListener(DesktopStreams streams, PulseAudioDesktop desktop, Duration linger, MediaTuning tuning,
            Listener listener, ScheduledExecutorService scheduler) {
        this.streams = streams;
        this.desktop = desktop;
        this.linger = linger;
        this.tuning = tuning;
        this.listener = listener;
        this.scheduler = scheduler;
    }

    static int live() {
        return LIVE.get();
    }

    static long created() {
        return CREATED.get();
    }

    @Override
    public void start() {
        DesktopStream joined;
        synchronized (lock) {
            if (closed || stream != null) {
                return;
            }
            stream = streams.join(desktop, tuning);
            joined = stream;
            LIVE.incrementAndGet();
            CREATED.incrementAndGet();
        }
        String failure = joined.awaitStarted();
        if (failure == null) {
            Bin built;
            synchronized (lock) {
                branch = Gst.parseBinFromDescription(BRANCH, true);
                frames = (AppSink) branch.getElementByName("frames");
                frames.connect(onSample);
                built = branch;
            }
            failure = joined.attach(this, built);
            inStream = failure == null;
        }
        if (failure == null) {
            synchronized (lock) {
                if (!closed) {
                    presenceWatch = scheduler.scheduleWithFixedDelay(this::askAfterTheBrowser, 1, 1, TimeUnit.SECONDS);
                }
            }
        }
        if (failure != null) {
            fail(failure);
        }
    }

    /** On a streaming thread of the desktop's pipeline, 100 times a second. */
    private FlowReturn frameEncoded(AppSink sink) {
        Sample sample = sink.pullSample();
        if (sample == null) {
            return FlowReturn.EOS;
        }
        AudioFrame frame;
        try {
            Buffer buffer = sample.getBuffer();
            ByteBuffer mapped = buffer.map(false);
            byte[] opus = new byte[mapped.remaining()];
            mapped.get(opus);
            buffer.unmap();
            long pts = buffer.getPresentationTimestamp();
            buffer.dispose();
            frame = new AudioFrame(pts < 0 ? 0 : pts / 1000, opus);
        } finally {
            sample.dispose();
        }
        boolean first;
        synchronized (lock) {
            if (closed) {
                return FlowReturn.OK;
            }
            first = !firstFrameSent;
            firstFrameSent = true;
        }
        listener.onAudioFrame(frame);
        framesSent.incrementAndGet();
        bytesSent.addAndGet(frame.opus().length + AudioFrame.HEADER_BYTES);
        if (first) {
            listener.onConnected();
        }
        return FlowReturn.OK;
    }

    private void askAfterTheBrowser() {
        try {
            synchronized (lock) {
                if (closed || !firstFrameSent) {
                    return;
                }
            }
            listener.onBrowserSilent();
        } catch (Throwable e) {
            LOG.log(Level.WARNING, "asking after the browser failed", e);
        }
    }

    @Override
    public void applyAnswer(String sdp) {
        // no SDP on the WebSocket path
    }

    @Override
    public void addRemoteCandidate(int sdpMLineIndex, String candidate) {
        // no ICE on the WebSocket path
    }

    /** On the socket's reading thread: never blocks (appsrc drops what it cannot hold). */
    @Override
    public void microphoneFrame(AudioFrame frame) {
        lastMicrophoneFrame = System.nanoTime();
        AppSrc source;
        synchronized (lock) {
            if (closed) {
                return;
            }
            switch (microphone) {
                case NONE -> {
                    microphone = Microphone.OPENING;
                    scheduler.execute(this::openMicrophone);
                    return;
                }
                case IDLE -> {
                    microphone = Microphone.OPENING;
                    scheduler.execute(this::resumeMicrophone);
                    return;
                }
                case PLAYING -> source = microphoneFrames;
                default -> {
                    return; // opening (this frame is lost, 10 ms), or failed
                }
            }
            Buffer buffer = new Buffer(frame.opus().length);
            buffer.map(true).put(frame.opus());
            buffer.unmap();
            source.pushBuffer(buffer);
        }
    }

    private void openMicrophone() {
        try {
            synchronized (microphoneLock) {
                Pipeline built = (Pipeline) Gst.parseLaunch(microphone(tuning));
                Element sink = built.getElementByName("microphone");
                if (desktop.server() != null) {
                    sink.set("server", desktop.server());
                }
                sink.set("device", desktop.microphoneSink());
                sink.dispose();
                Bus bus = built.getBus();
                bus.connect(microphoneErrors);
                boolean late;
                synchronized (lock) {
                    late = closed; // the call ended while this was built: close() found nothing to stop
                    if (!late) {
                        microphonePipeline = built;
                        microphoneFrames = (AppSrc) built.getElementByName("frames");
                        microphoneBus = bus;
                    }
                }
                if (late) {
                    bus.disconnect(microphoneErrors);
                    bus.dispose();
                    built.dispose();
                    return;
                }
            }
            resumeMicrophone();
            synchronized (lock) {
                if (!closed && microphoneWatch == null) {
                    microphoneWatch = scheduler.scheduleWithFixedDelay(this::pauseIdleMicrophone,
                            MicrophoneGate.POLL_MILLIS, MicrophoneGate.POLL_MILLIS, TimeUnit.MILLISECONDS);
                }
            }
        } catch (Throwable e) {
            LOG.log(Level.WARNING, "starting the browser's microphone failed", e);
            synchronized (lock) {
                microphone = Microphone.FAILED;
            }
        }
    }

    /** Connects to the desktop's PulseAudio (with its cookie) and plays. */
    private void resumeMicrophone() {
        synchronized (microphoneLock) {
            Pipeline pipeline;
            synchronized (lock) {
                if (closed || microphonePipeline == null) {
                    return;
                }
                pipeline = microphonePipeline;
            }
            PulseCookies.open(desktop.cookie(), () -> pipeline.setState(State.PLAYING));
            synchronized (lock) {
                if (microphone == Microphone.OPENING) {
                    microphone = Microphone.PLAYING;
                }
            }
        }
    }

    /** No frame for a second: the desktop's microphone stream goes (READY, never NULL while the call lasts). */
    private void pauseIdleMicrophone() {
        try {
            synchronized (microphoneLock) {
                Pipeline pipeline;
                synchronized (lock) {
                    if (closed || microphone != Microphone.PLAYING
                            || System.nanoTime() - lastMicrophoneFrame < MicrophoneGate.IDLE_MILLIS * 1_000_000) {
                        return;
                    }
                    microphone = Microphone.IDLE; // frames from here on wait for the resume
                    pipeline = microphonePipeline;
                }
                pipeline.setState(State.READY);
            }
        } catch (Throwable e) {
            LOG.log(Level.WARNING, "pausing the browser's microphone failed", e);
        }
    }

    private void microphoneError(GstObject source, int code, String message) {
        synchronized (lock) {
            if (closed || microphone == Microphone.FAILED) {
                return;
            }
            microphone = Microphone.FAILED;
        }
        // The desktop's sound goes on; only the microphone cannot reach the desktop.
        String text = "microphone: cannot play into device '" + desktop.microphoneSink() + "' on "
                + desktop.serverLabel() + " (" + message + ")";
        LOG.warning(text);
        listener.onWarning(text);
    }

    @Override
    public MediaFigures figures() {
        long bytes = bytesSent.get();
        long now = System.nanoTime();
        synchronized (lock) {
            if (now - ratedAt >= 1_000_000_000L) {
                bitsPerSecond = (bytes - ratedBytes) * 8e9 / (now - ratedAt);
                ratedAt = now;
                ratedBytes = bytes;
            }
            boolean microphoneOn = microphone == Microphone.PLAYING;
            return new MediaFigures("websocket", firstFrameSent ? "connected" : "new", null, null, null, null,
                    bytes, framesSent.get(), bitsPerSecond, microphoneOn, null);
        }
    }

    @Override
    public String desktop() {
        return desktop.serverLabel();
    }

    @Override
    public void branchError(String element, String message) {
        fail("the sound pipeline failed in " + element + ": " + message);
    }

    @Override
    public void streamFailed(String message) {
        fail(message);
    }

    private void fail(String message) {
        synchronized (lock) {
            if (closed || failed) {
                return;
            }
            failed = true;
        }
        LOG.warning(message);
        try {
            listener.onError(message);
        } catch (Throwable e) {
            LOG.log(Level.FINE, "reporting an error failed", e);
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            if (microphoneWatch != null) {
                microphoneWatch.cancel(false);
            }
            if (presenceWatch != null) {
                presenceWatch.cancel(false);
            }
        }
        // The microphone first, on its own: whatever befalls it, the branch must leave the stream.
        synchronized (microphoneLock) {
            try {
                if (microphonePipeline != null) {
                    microphonePipeline.stop();
                    microphoneBus.disconnect(microphoneErrors);
                    microphoneBus.dispose();
                    microphoneFrames.dispose();
                    microphonePipeline.dispose();
                }
            } catch (Throwable e) {
                LOG.log(Level.WARNING, "stopping the browser's microphone failed", e);
            }
        }
        if (stream == null) {
            return;
        }
        try {
            if (inStream) {
                stream.unfeed(branch);
                stream.remove(branch);
            }
            if (branch != null) {
                frames.disconnect(onSample);
                frames.dispose();
                branch.dispose();
            }
        } catch (Throwable e) {
            LOG.log(Level.WARNING, "taking a WebSocket listener out of the desktop's stream failed", e);
        } finally {
            LIVE.decrementAndGet();
            streams.leave(stream, linger);
        }
    }
}
