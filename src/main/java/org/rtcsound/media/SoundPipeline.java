package org.rtcsound.media;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.freedesktop.gstreamer.Bin;
import org.freedesktop.gstreamer.Bus;
import org.freedesktop.gstreamer.Caps;
import org.freedesktop.gstreamer.Element;
import org.freedesktop.gstreamer.Gst;
import org.freedesktop.gstreamer.GstObject;
import org.freedesktop.gstreamer.Pad;
import org.freedesktop.gstreamer.PadDirection;
import org.freedesktop.gstreamer.Pipeline;
import org.freedesktop.gstreamer.Promise;
import org.freedesktop.gstreamer.SDPMessage;
import org.freedesktop.gstreamer.State;
import org.freedesktop.gstreamer.StateChangeReturn;
import org.freedesktop.gstreamer.webrtc.WebRTCBin;
import org.freedesktop.gstreamer.webrtc.WebRTCICEGatheringState;
import org.freedesktop.gstreamer.webrtc.WebRTCSDPType;
import org.freedesktop.gstreamer.webrtc.WebRTCSessionDescription;
import org.rtcsound.call.MediaPeer;
import org.rtcsound.desktop.PulseAudioDesktop;

/**
 * One call's GStreamer pipeline: the desktop's speaker (the monitor of its sink) is
 * captured from PulseAudio, encoded as Opus and sent through webrtcbin, which offers one
 * sendrecv audio m-line so that the browser's microphone can come back on it.
 *
 * <p>Callbacks arrive on GStreamer's threads. Each runs under {@code lock} and does
 * nothing once the pipeline is closed, so no callback touches a disposed element.
 * {@link #close()} only sets the flag under the lock, then stops the pipeline outside
 * it, since stopping waits for those very threads.
 */
public final class SoundPipeline implements MediaPeer {

    private static final Logger LOG = Logger.getLogger(SoundPipeline.class.getName());

    /** Pipelines alive in this process, for the admin view and the leak tests. */
    private static final AtomicInteger LIVE = new AtomicInteger();
    /** Pipelines ever built here: a refused caller must never add one. */
    private static final AtomicLong CREATED = new AtomicLong();

    // Low-latency settings (see docs/benchmarks.md): 10 ms capture segments, 10 ms Opus
    // frames in the low-delay mode, and a leaky queue so a stall never piles up delay.
    private static final String RTP_CAPS =
            "application/x-rtp,media=audio,encoding-name=OPUS,payload=96,clock-rate=48000,encoding-params=(string)2";

    private static final String DESCRIPTION = String.join(" ",
            "pulsesrc name=capture client-name=rtcsound buffer-time=100000 latency-time=10000 do-timestamp=true",
            "! audioconvert ! audioresample ! audio/x-raw,rate=48000,channels=2",
            "! queue max-size-time=40000000 max-size-buffers=0 max-size-bytes=0 leaky=downstream",
            "! opusenc audio-type=restricted-lowdelay frame-size=10 bitrate=128000 bitrate-type=cbr",
            "! rtpopuspay pt=96",
            "! " + RTP_CAPS,
            "! webrtcbin name=webrtc bundle-policy=max-bundle latency=0");

    /**
     * The browser's microphone, when it sends one: decoded and played into the desktop's
     * microphone sink, whose monitor the desktop's programs record from. The valve and
     * the sink's own state are the {@link MicrophoneGate}'s (async=false: a sink started
     * alone must not wait for a preroll).
     */
    private static final String MICROPHONE = String.join(" ",
            "queue max-size-time=100000000 max-size-buffers=0 max-size-bytes=0 leaky=downstream",
            "! rtpopusdepay name=microphone-depayloader ! opusdec ! audioconvert ! audioresample",
            "! valve name=microphone-gate",
            "! pulsesink name=microphone client-name=rtcsound-microphone buffer-time=60000 latency-time=10000"
                    + " sync=false async=false");

    private final PulseAudioDesktop desktop;
    private final IceServers iceServers;
    private final Listener listener;
    private final Object lock = new Object();

    private boolean closed;
    private boolean failed;
    private Promise offerRequest;
    private boolean offerApplied;
    private Pipeline pipeline;
    private WebRTCBin webrtc;
    private MicrophoneGate microphoneGate;
    private ScheduledFuture<?> microphoneWatch;
    private final ScheduledExecutorService scheduler;

    public SoundPipeline(PulseAudioDesktop desktop, IceServers iceServers, Listener listener,
            ScheduledExecutorService scheduler) {
        this.desktop = desktop;
        this.iceServers = iceServers;
        this.listener = listener;
        this.scheduler = scheduler;
    }

    public static int live() {
        return LIVE.get();
    }

    public static long created() {
        return CREATED.get();
    }

    @Override
    public void start() {
        synchronized (lock) {
            if (closed || pipeline != null) {
                return;
            }
            pipeline = (Pipeline) Gst.parseLaunch(DESCRIPTION);
            LIVE.incrementAndGet();
            CREATED.incrementAndGet();
            // Every wrapper gst1-java-core hands out holds a reference until the collector
            // runs: wrappers used once are disposed at once, or elements (and their ICE
            // sockets) would outlive their call until the next GC.
            Element capture = pipeline.getElementByName("capture");
            if (desktop.server() != null) {
                capture.set("server", desktop.server());
            }
            capture.set("device", desktop.speakerMonitor());
            capture.dispose();
            webrtc = (WebRTCBin) pipeline.getElementByName("webrtc");
            // webrtcbin offers only once caps reach it, i.e. once the first captured
            // buffer arrives, and the monitor of an idle null sink yields its first
            // buffer after up to 2 s. Codec preferences on the transceiver let the offer
            // leave at once.
            Pad sendPad = webrtc.getStaticPad("sink_0");
            GObjectCalls.setOnObjectProperty(sendPad, "transceiver", "codec-preferences", Caps.fromString(RTP_CAPS));
            sendPad.dispose();
            if (iceServers.stun() != null) {
                webrtc.setStunServer(iceServers.stun());
            }
            if (iceServers.turn() != null) {
                webrtc.setTurnServer(iceServers.turn());
            }
            // The offer is made when webrtcbin says it is ready for one, as in GStreamer's
            // sendrecv example.
            webrtc.connect((WebRTCBin.ON_NEGOTIATION_NEEDED) this::negotiationNeeded);
            webrtc.connect((WebRTCBin.ON_ICE_CANDIDATE) this::localCandidate);
            webrtc.connect((Element.PAD_ADDED) this::incomingPad);
            pipeline.getBus().connect((Bus.ERROR) this::busError);
        }
        // The capture connects to the desktop's PulseAudio here, with its cookie (PulseCookies).
        Element capture = pipeline.getElementByName("capture");
        StateChangeReturn opened = PulseCookies.open(desktop.cookie(), () -> capture.setState(State.READY));
        capture.dispose();
        if (opened == StateChangeReturn.FAILURE || pipeline.play() == StateChangeReturn.FAILURE) {
            awaitBusError();
            fail("the sound pipeline did not start");
        }
    }

    private void negotiationNeeded(Element element) {
        try {
            synchronized (lock) {
                if (!closed && offerRequest == null) {
                    // WebRTCBin.createOffer keeps its promise only in a local variable, so the
                    // collector may take it, with its native callback, before the offer is
                    // ready; this field keeps it reachable.
                    offerRequest = new Promise(this::offerReady);
                    webrtc.emit("create-offer", null, offerRequest);
                }
            }
        } catch (Throwable e) {
            LOG.log(Level.WARNING, "asking for an offer failed", e);
            fail("asking for an offer failed: " + e.getMessage());
        }
    }

    private void offerReady(Promise promise) {
        try {
            WebRTCSessionDescription offer = (WebRTCSessionDescription) promise.getReply().getValue("offer");
            offer.disown();
            synchronized (lock) {
                if (closed) {
                    return;
                }
                String sdp = SdpText.of(offer);
                disableUpnp();
                webrtc.setLocalDescription(offer);
                offerApplied = true;
                listener.onOffer(sdp);
            }
        } catch (Throwable e) {
            LOG.log(Level.WARNING, "creating the offer failed", e);
            fail("creating the offer failed: " + e.getMessage());
        }
    }

    /**
     * libnice maps ports through UPnP routers by default: useless in a data centre, and its
     * discovery left SSDP (port 1900) and HTTP sockets open in the server after calls ended.
     * Turned off before gathering starts (at the local description).
     */
    private void disableUpnp() {
        boolean done = false;
        for (Element element : webrtc.getElementsRecursive()) {
            if (!done && element.getFactory() != null && "nicesrc".equals(element.getFactory().getName())) {
                // one ICE agent serves all of this webrtcbin's transports
                GObjectCalls.setOnObjectProperty(element, "agent", "upnp", false);
                done = true;
            }
            element.dispose();
        }
        if (!done) {
            LOG.warning("no nicesrc in webrtcbin: UPnP stays on");
        }
    }

    private void localCandidate(int sdpMLineIndex, String candidate) {
        try {
            synchronized (lock) {
                if (!closed) {
                    listener.onLocalCandidate(sdpMLineIndex, candidate);
                }
            }
        } catch (Throwable e) {
            LOG.log(Level.WARNING, "sending a local candidate failed", e);
        }
    }

    private void incomingPad(Element element, Pad pad) {
        try {
            synchronized (lock) {
                if (closed || pad.getDirection() != PadDirection.SRC) {
                    return;
                }
                Bin microphone = Gst.parseBinFromDescription(MICROPHONE, true);
                Element sink = microphone.getElementByName("microphone");
                if (desktop.server() != null) {
                    sink.set("server", desktop.server());
                }
                sink.set("device", desktop.microphoneSink());
                sink.dispose();
                pipeline.add(microphone);
                PulseCookies.open(desktop.cookie(), microphone::syncStateWithParent);
                Pad input = microphone.getStaticPad("sink");
                pad.link(input);
                input.dispose();
                microphoneGate = new MicrophoneGate(microphone, desktop.cookie());
                microphone.dispose();
                microphoneWatch = scheduler.scheduleWithFixedDelay(this::checkMicrophone,
                        MicrophoneGate.POLL_MILLIS, MicrophoneGate.POLL_MILLIS, TimeUnit.MILLISECONDS);
            }
        } catch (Throwable e) {
            LOG.log(Level.WARNING, "linking the browser's microphone failed", e);
        }
    }

    private void checkMicrophone() {
        try {
            synchronized (lock) {
                if (!closed && microphoneGate != null) {
                    microphoneGate.check();
                }
            }
        } catch (Throwable e) {
            LOG.log(Level.WARNING, "checking the microphone failed", e);
        }
    }

    private void busError(GstObject source, int code, String message) {
        String name = source == null ? "" : source.getName();
        if ("microphone".equals(name)) {
            // The desktop's sound goes on; only the microphone cannot reach the desktop.
            String text = "microphone: cannot play into device '" + desktop.microphoneSink() + "' on "
                    + desktop.serverLabel() + " (" + message + "); the desktop's PulseAudio must have the sink '"
                    + desktop.microphoneSink() + "'";
            LOG.warning(text);
            synchronized (lock) {
                if (!closed) {
                    listener.onWarning(text);
                }
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

    /**
     * A webrtcbin stopped between its offer and the end of ICE gathering never frees its
     * ICE agent, whose sockets then stay open for good (seen: one agent in a few hundred
     * calls closed that early). So a call that has asked for an offer is stopped only once
     * gathering is complete, which takes milliseconds; 2 s at most.
     */
    private void awaitIceSettled() {
        boolean settled = awaitUnderLock(2000, () -> closed || failed || offerRequest == null
                || (offerApplied && webrtc.getICEGatheringState() == WebRTCICEGatheringState.COMPLETE));
        if (!settled) {
            LOG.warning("ICE gathering did not complete in 2 s; stopping the call anyway");
        }
    }

    /** The bus error behind a failed start says what went wrong: give it a moment to arrive. */
    private void awaitBusError() {
        awaitUnderLock(500, () -> failed);
    }

    /** Polls a condition on this pipeline's state (checked under the lock) for a while. */
    private boolean awaitUnderLock(long millis, BooleanSupplier condition) {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (true) {
            synchronized (lock) {
                if (condition.getAsBoolean()) {
                    return true;
                }
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
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
    public void applyAnswer(String sdp) {
        synchronized (lock) {
            if (closed || webrtc == null) {
                return;
            }
            SDPMessage message = new SDPMessage();
            message.parseBuffer(sdp);
            WebRTCSessionDescription answer = new WebRTCSessionDescription(WebRTCSDPType.ANSWER, message);
            // The description now owns the native SDP message, but gst1-java-core's wrapper
            // does not know it: once collected, it would free the message, even before
            // webrtcbin has copied it (seen: ~1 call in 12 never connected). Let go of it.
            message.disown();
            webrtc.setRemoteDescription(answer);
        }
    }

    @Override
    public void addRemoteCandidate(int sdpMLineIndex, String candidate) {
        synchronized (lock) {
            if (closed || webrtc == null) {
                return;
            }
            webrtc.addIceCandidate(sdpMLineIndex, candidate);
        }
    }

    @Override
    public void close() {
        awaitIceSettled();
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            if (microphoneWatch != null) {
                microphoneWatch.cancel(false);
            }
        }
        if (pipeline == null) {
            return;
        }
        try {
            if (microphoneGate != null) {
                microphoneGate.close();
            }
            pipeline.stop();
            webrtc.dispose();
            pipeline.dispose();
        } catch (Throwable e) {
            LOG.log(Level.WARNING, "stopping the sound pipeline failed", e);
        } finally {
            LIVE.decrementAndGet();
        }
    }
}
