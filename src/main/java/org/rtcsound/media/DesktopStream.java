package org.rtcsound.media;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.freedesktop.gstreamer.Bin;
import org.freedesktop.gstreamer.Bus;
import org.freedesktop.gstreamer.Element;
import org.freedesktop.gstreamer.Gst;
import org.freedesktop.gstreamer.GstObject;
import org.freedesktop.gstreamer.message.Message;
import org.freedesktop.gstreamer.Pad;
import org.freedesktop.gstreamer.PadProbeReturn;
import org.freedesktop.gstreamer.PadProbeType;
import org.freedesktop.gstreamer.Pipeline;
import org.freedesktop.gstreamer.State;
import org.freedesktop.gstreamer.StateChangeReturn;
import org.freedesktop.gstreamer.Structure;
import org.freedesktop.gstreamer.event.ReconfigureEvent;
import org.rtcsound.desktop.PulseAudioDesktop;

/**
 * One desktop's sound, captured and encoded once for everyone who listens to it: the
 * monitor of the desktop's speaker sink is captured from PulseAudio, encoded as Opus and
 * fanned out by a tee. Each listener's branch ({@link StreamListener} for WebRTC,
 * {@link SocketListener} for the WebSocket path) is a bin of the same pipeline hanging off that tee, added and removed while it plays.
 *
 * <p>Bus errors are routed by where they come from: from a listener's bin they are that
 * listener's alone; from the capture or the encoder they fail the stream and every
 * listener of it, with a message saying what the desktop lacks.
 */
final class DesktopStream {

    private static final Logger LOG = Logger.getLogger(DesktopStream.class.getName());

    private static final AtomicInteger LIVE = new AtomicInteger();
    private static final AtomicLong CREATED = new AtomicLong();

    // The capture and encoder are MediaTuning's (low-latency by default, see
    // docs/benchmarks.md), with a leaky queue between them so a stall never piles up delay;
    // the tee drops what no listener takes while the stream lingers. Each listener packs its own RTP,
    // so that each webrtcbin negotiates its own SSRC and sequence numbers with a payloader of
    // its own; packing costs next to nothing beside encoding. identity counts the encoded
    // frames (its stats, read once a second for the stall watch, so the media path carries no
    // Java callback per buffer unless onsets are traced). level posts the sound's RMS four
    // times a second, for the operators' meter.
    private static String description(MediaTuning tuning) {
        return tuning.captureAndEncoder() + " ! identity name=encoded silent=true ! tee name=fanout allow-not-linked=true";
    }

    private static final String LISTENER_PREFIX = "listener-";

    /** No encoded frame for this long once frames flowed: the capture has stalled. */
    static final long STALL_NANOS = 3_000_000_000L;
    /** The first frame may take this long: an idle null sink's monitor yields its first data after up to 2 s. */
    static final long FIRST_FRAME_NANOS = 6_000_000_000L;

    private final PulseAudioDesktop desktop;
    private final MediaTuning tuning;
    /** Null unless onsets are traced. */
    private final OnsetTrace trace;
    private final Consumer<DesktopStream> onFailure;
    private final Instant startedAt = Instant.now();
    private final Object startLock = new Object();
    private final Object lock = new Object();
    /** Listener bins in the pipeline, by bin name. */
    private final Map<String, StreamBranch> attached = new HashMap<>();

    private long framesSeen;
    private long framesSeenAt;
    private boolean startAttempted;
    private Pipeline pipeline;
    private Element fanout;
    private Element capture;
    private Element encoded;
    private Pad fanoutInput;
    private Bus bus;
    /** Kept to disconnect it: the bus's signal watch holds its listeners (and this stream) until then. */
    private final Bus.ERROR busErrors = this::busError;
    private final Bus.MESSAGE levels = this::levelMessage;
    /** The loudest channel's RMS over the last 250 ms, in dBFS; {@link #SILENCE_DB} before any. */
    private volatile double levelDb = SILENCE_DB;
    static final double SILENCE_DB = -100;
    private String failure;
    private boolean stopped;
    private int nextListener;

    /** @param onFailure told once, on a GStreamer thread, when the stream fails */
    DesktopStream(PulseAudioDesktop desktop, MediaTuning tuning, Consumer<DesktopStream> onFailure) {
        this.desktop = desktop;
        this.tuning = tuning;
        this.trace = tuning.traceOnsets() ? new OnsetTrace() : null;
        this.onFailure = onFailure;
    }

    static int live() {
        return LIVE.get();
    }

    static long created() {
        return CREATED.get();
    }

    PulseAudioDesktop desktop() {
        return desktop;
    }

    Instant startedAt() {
        return startedAt;
    }

    /**
     * Starts capturing and encoding if no listener has yet, else waits for that start.
     * Returns null once the stream plays, or why it does not.
     */
    String awaitStarted() {
        synchronized (startLock) {
            if (!startAttempted) {
                startAttempted = true;
                try {
                    startPipeline();
                } catch (RuntimeException | Error e) {
                    LOG.log(Level.WARNING, "starting a desktop's stream failed", e);
                    fail("the sound pipeline did not start: " + e.getClass().getSimpleName());
                }
            }
        }
        return failure();
    }

    /** Builds and plays the pipeline; a start that fails leaves the stream failed, with why. */
    private void startPipeline() {
        synchronized (lock) {
            pipeline = (Pipeline) Gst.parseLaunch(description(tuning));
            LIVE.incrementAndGet();
            CREATED.incrementAndGet();
            fanout = pipeline.getElementByName("fanout");
            // A listener joining sends a RECONFIGURE upstream. Reaching pulsesrc before its
            // first buffer, it left the capture producing nothing, for good, in about 1 start
            // in 7 (measured: 19 of 130 fresh streams; 0 of 40 with this probe). Nothing after
            // the tee can ask the encoder for another format (each listener packs any Opus),
            // so no reconfigure needs to pass.
            // (The pad's wrapper holds the probe's callback: it lives as long as the stream.)
            fanoutInput = fanout.getStaticPad("sink");
            fanoutInput.addProbe(PadProbeType.EVENT_UPSTREAM, (pad, info) ->
                    info.getEvent() instanceof ReconfigureEvent ? PadProbeReturn.DROP : PadProbeReturn.OK);
            encoded = pipeline.getElementByName("encoded");
            if (trace != null) {
                traceOnsets();
            }
            bus = pipeline.getBus();
            bus.connect(busErrors);
            bus.connect("element", levels);
        }
        // Kept, not disposed, while the stream lives: gst1-java-core hands the bus handler this very
        // wrapper as the source of the capture's errors, and a disposed one cannot say its name
        // (seen: the readable "access denied" lost to "did not start").
        capture = pipeline.getElementByName("capture");
        if (desktop.server() != null) {
            capture.set("server", desktop.server());
        }
        capture.set("device", desktop.speakerMonitor());
        // The capture connects to the desktop's PulseAudio here, with its cookie (PulseCookies).
        StateChangeReturn opened = PulseCookies.open(desktop.cookie(), () -> capture.setState(State.READY));
        if (opened == StateChangeReturn.FAILURE || pipeline.play() == StateChangeReturn.FAILURE) {
            // The bus error behind a failed start says what went wrong: give it time to arrive.
            // gst1-java-core hands every pipeline's bus messages to one thread of its own, so
            // under load it comes late (500 ms was too short in a full suite run).
            long deadline = System.nanoTime() + 2_000_000_000L;
            while (failure() == null && System.nanoTime() < deadline) {
                pause();
            }
            fail("the sound pipeline did not start");
        }
    }

    /** The trace keeps the pads it probes, as long as the stream lives. */
    private void traceOnsets() {
        Element captured = pipeline.getElementByName("captured");
        trace.watchCapture(captured.getStaticPad("sink"));
        trace.watchEncoder(encoded.getStaticPad("src"));
        captured.dispose();
    }

    MediaTuning tuning() {
        return tuning;
    }

    /** Null unless onsets are traced. */
    OnsetTrace trace() {
        return trace;
    }

    private static void pause() {
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Called every second while the stream lives: true (and the stream failed, its listeners
     * told) when no encoded frame came for {@link #STALL_NANOS}, or none at all within
     * {@link #FIRST_FRAME_NANOS} of the start. Listeners' pages then call again, and the
     * next listener starts a fresh stream.
     */
    boolean failIfStalled(long now) {
        long count;
        synchronized (lock) {
            if (pipeline == null || stopped || failure != null) {
                return false;
            }
            count = encodedFrames();
            if (framesSeenAt == 0 || count != framesSeen) {
                framesSeen = count;
                framesSeenAt = now;
                return false;
            }
            if (now - framesSeenAt < (count == 0 ? FIRST_FRAME_NANOS : STALL_NANOS)) {
                return false;
            }
        }
        fail("the desktop's sound stopped: no audio came from its PulseAudio (" + desktop.serverLabel() + ") for "
                + (count == 0 ? FIRST_FRAME_NANOS : STALL_NANOS) / 1_000_000_000L + " s");
        return true;
    }

    /** The sound's level now: the loudest channel's RMS over the last 250 ms, in dBFS (-100 for silence). */
    double levelDb() {
        return levelDb;
    }

    private void levelMessage(Bus from, Message message) {
        try {
            Structure structure = message.getStructure();
            if (structure != null && structure.hasName("level")) {
                double loudest = SILENCE_DB;
                for (double rms : structure.getDoubles("rms")) {
                    loudest = Math.max(loudest, rms);
                }
                levelDb = loudest;
            }
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "reading a level message failed", e);
        }
    }

    /** Encoded frames so far, from identity's stats. */
    private long encodedFrames() {
        Object stats = encoded.get("stats");
        if (!(stats instanceof Structure structure)) {
            return framesSeen;
        }
        try {
            return ((Number) structure.getValue("num-buffers")).longValue();
        } finally {
            structure.dispose();
        }
    }

    /** Why the stream failed, or null while it plays. */
    String failure() {
        synchronized (lock) {
            return failure;
        }
    }

    /**
     * Adds a listener's bin (a ghost pad "sink" for Opus) to the playing pipeline and feeds it
     * from the tee. The bin plays before it is linked: a tee pushing into a stopped branch
     * would stop the stream for everyone. Returns null, or why the stream cannot be heard.
     */
    String attach(StreamBranch listener, Bin bin) {
        String name;
        synchronized (lock) {
            if (failure != null || stopped) {
                return failure != null ? failure : "the desktop's stream has stopped";
            }
            name = LISTENER_PREFIX + nextListener++;
            attached.put(name, listener);
        }
        bin.setName(name);
        pipeline.add(bin);
        // A branch that does not play must never be linked: the tee would pass its
        // FLUSHING up to the encoder and silence the stream for everyone, with no error.
        if (!bin.syncStateWithParent()) {
            takeOut(bin, name);
            return "the call's media could not start (webrtcbin did not start)";
        }
        Pad branch = fanout.getRequestPad("src_%u");
        Pad input = bin.getStaticPad("sink");
        try {
            branch.link(input);
        } catch (RuntimeException e) {
            fanout.releaseRequestPad(branch);
            takeOut(bin, name);
            return "the call's media could not be linked to the desktop's stream: " + e.getMessage();
        } finally {
            input.dispose();
            branch.dispose();
        }
        return null;
    }

    private void takeOut(Bin bin, String name) {
        synchronized (lock) {
            attached.remove(name);
        }
        remove(bin);
    }

    /**
     * Stops feeding a listener's bin: the tee's pad goes (the tee waits for a push into it to
     * end and never pushes there again). The bin stays in the pipeline until {@link #remove}.
     */
    void unfeed(Bin bin) {
        synchronized (lock) {
            if (attached.remove(bin.getName()) == null) {
                return;
            }
        }
        Pad input = bin.getStaticPad("sink");
        Pad branch = input.getPeer();
        if (branch != null) {
            fanout.releaseRequestPad(branch);
            branch.dispose();
        }
        input.dispose();
    }

    /** Stops a listener's bin, no longer fed, and takes it out of the pipeline. */
    void remove(Bin bin) {
        bin.setState(State.NULL);
        pipeline.remove(bin);
    }

    private void busError(GstObject source, int code, String message) {
        String bin;
        String name;
        try {
            bin = listenerBinOf(source);
            name = source == null ? "" : source.getName();
        } catch (IllegalStateException disposed) {
            // A wrapper of ours, disposed before the message was handled: whose it was is lost.
            LOG.log(Level.FINE, "the source of a bus error is gone", disposed);
            bin = null;
            name = "";
        }
        if (bin != null) {
            StreamBranch owner;
            synchronized (lock) {
                owner = attached.get(bin);
            }
            if (owner != null) {
                owner.branchError(name, message);
            } else {
                // A listener's bin on its way out (an error it posted while stopping): its
                // call is over, and the stream is not at fault.
                String gone = bin;
                LOG.fine(() -> "error from " + gone + " after it left: " + message);
            }
        } else if ("capture".equals(name) && message.contains("Access denied")) {
            fail("the desktop's PulseAudio (" + desktop.serverLabel() + ") refused rtcsound (access denied): "
                    + (desktop.cookie() == null ? "it wants a cookie; set the desktop's PULSEAUDIO_COOKIE in rtcsound"
                            + " (rtcsound.pulse.cookie, a cookie in rtcsound.desktops, or the pod's environment)"
                            + " or admit rtcsound's address (auth-ip-acl)"
                            : "the cookie rtcsound has for this desktop is not the one it was started with"));
        } else if ("capture".equals(name)) {
            fail("cannot capture the desktop's sound from device '" + desktop.speakerMonitor() + "' on "
                    + desktop.serverLabel() + " (" + message + "); the desktop's PulseAudio must have the sink '"
                    + desktop.speakerSink() + "'");
        } else {
            fail("the sound pipeline failed in " + name + ": " + message);
        }
    }

    /** The name of the listener's bin that holds {@code source}, or null when it is the stream's own. */
    private static String listenerBinOf(GstObject source) {
        // Wrappers of parents are shared with their other users (gst1-java-core keeps one per
        // native object), so they are read, not disposed.
        for (GstObject at = source; at != null; at = at.getParent()) {
            String name = at.getName();
            if (name != null && name.startsWith(LISTENER_PREFIX)) {
                return name;
            }
        }
        return null;
    }

    private void fail(String message) {
        List<StreamBranch> told;
        synchronized (lock) {
            if (failure != null || stopped) {
                return;
            }
            failure = message;
            told = List.copyOf(attached.values());
        }
        LOG.warning(message);
        try {
            onFailure.accept(this);
        } catch (Throwable e) {
            LOG.log(Level.WARNING, "dropping a failed stream failed", e);
        }
        told.forEach(listener -> listener.streamFailed(message));
    }

    /** Stops capturing and encoding; idempotent. Never on a GStreamer thread: stopping waits for them. */
    void stop() {
        synchronized (lock) {
            if (stopped || pipeline == null) {
                stopped = true;
                return;
            }
            stopped = true;
        }
        try {
            pipeline.stop();
            bus.disconnect(busErrors);
            bus.disconnect(levels);
            bus.dispose();
            fanoutInput.dispose();
            fanout.dispose();
            capture.dispose();
            encoded.dispose();
            pipeline.dispose();
        } catch (Throwable e) {
            LOG.log(Level.WARNING, "stopping a desktop's stream failed", e);
        } finally {
            LIVE.decrementAndGet();
        }
    }
}
