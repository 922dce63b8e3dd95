package org.rtcsound.media;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.sun.jna.Callback;
import com.sun.jna.Pointer;

import org.freedesktop.gstreamer.Bin;
import org.freedesktop.gstreamer.Caps;
import org.freedesktop.gstreamer.Element;
import org.freedesktop.gstreamer.GhostPad;
import org.freedesktop.gstreamer.Gst;
import org.freedesktop.gstreamer.Pad;
import org.freedesktop.gstreamer.PadDirection;
import org.freedesktop.gstreamer.Promise;
import org.freedesktop.gstreamer.PromiseResult;
import org.freedesktop.gstreamer.SDPMessage;
import org.freedesktop.gstreamer.State;
import org.freedesktop.gstreamer.Structure;
import org.freedesktop.gstreamer.webrtc.WebRTCBin;
import org.freedesktop.gstreamer.webrtc.WebRTCICEGatheringState;
import org.freedesktop.gstreamer.webrtc.WebRTCPeerConnectionState;
import org.freedesktop.gstreamer.webrtc.WebRTCSDPType;
import org.freedesktop.gstreamer.webrtc.WebRTCSessionDescription;
import org.rtcsound.call.MediaFigures;
import org.rtcsound.call.MediaPeer;
import org.rtcsound.desktop.PulseAudioDesktop;

/**
 * One listener of a desktop's stream: a bin of the stream's pipeline fed with Opus by its tee,
 * packed as RTP of its own (SSRC, sequence numbers) for its webrtcbin, which offers one sendrecv
 * audio m-line so that the browser's microphone can come back
 * on it. The microphone path is the listener's own.
 *
 * <p>A leaky queue heads the branch, so a listener that cannot take packets (before ICE
 * connects, or a slow one) drops its own and never stalls the tee; errorignore after it
 * keeps a failing webrtcbin's flow error from travelling up the tee to the encoder, which
 * would stop the stream for every listener.
 *
 * <p>Callbacks arrive on GStreamer's threads. Each runs under {@code lock} and does
 * nothing once the listener is closed, so no callback touches a disposed element.
 * {@link #close()} only sets the flag under the lock, then takes the bin out outside it,
 * since stopping waits for those very threads.
 */
final class StreamListener implements MediaPeer, StreamBranch {

    private static final Logger LOG = Logger.getLogger(StreamListener.class.getName());

    /** Listeners alive in this process, for the admin view and the leak tests. */
    private static final AtomicInteger LIVE = new AtomicInteger();
    /** Listeners ever started here: a refused caller must never add one. */
    private static final AtomicLong CREATED = new AtomicLong();

    private static final String RTP_CAPS =
            "application/x-rtp,media=audio,encoding-name=OPUS,payload=96,clock-rate=48000,encoding-params=(string)2";

    private static final String BRANCH = String.join(" ",
            "queue max-size-time=40000000 max-size-buffers=0 max-size-bytes=0 leaky=downstream",
            "! errorignore ignore-error=true ignore-notlinked=true ignore-notnegotiated=true",
            "! rtpopuspay name=payloader pt=96",
            "! " + RTP_CAPS,
            "! webrtcbin name=webrtc bundle-policy=max-bundle latency=0");

    /**
     * The browser's microphone, when it sends one: decoded, up to a valve that drops until
     * the desktop's microphone sink ({@link MediaTuning#microphoneSink()}) has connected and
     * is linked behind it. The valve and the sink's own state are then the
     * {@link MicrophoneGate}'s. errorignore keeps a failing sink's flow error from travelling
     * back into webrtcbin's receive path, which would end the whole call.
     */
    private static final String MICROPHONE = String.join(" ",
            "queue name=microphone-input max-size-time=100000000 max-size-buffers=0 max-size-bytes=0 leaky=downstream",
            "! errorignore ignore-error=true ignore-notlinked=true ignore-notnegotiated=true",
            "! rtpopusdepay name=microphone-depayloader ! opusdec ! audioconvert ! audioresample",
            "! valve name=microphone-gate drop=true");

    private final DesktopStreams streams;
    private final PulseAudioDesktop desktop;
    private final IceServers iceServers;
    private final Duration linger;
    private final MediaTuning tuning;
    private final Listener listener;
    private final ScheduledExecutorService scheduler;
    private final Object lock = new Object();

    private DesktopStream stream;
    private boolean closed;
    private boolean failed;
    private Promise offerRequest;
    private boolean offerApplied;
    private Bin branch;
    /** The browser's microphone from webrtcbin's receive pad up to its valve; null before that pad. */
    private Bin microphone;
    private Element microphoneSink;
    /** The payloader's output, probed when the stream traces onsets; null otherwise. */
    private Pad tracedPayloaderOutput;
    /** Whether the branch is in the stream's pipeline. */
    private boolean inStream;
    /** webrtcbin has asked for negotiation; the offer waits until its branch is playing (see {@link #negotiationNeeded}). */
    private boolean negotiationWanted;
    private WebRTCBin webrtc;
    private MicrophoneGate microphoneGate;
    private ScheduledFuture<?> microphoneWatch;
    private ScheduledFuture<?> healthWatch;
    /** Kept reachable while webrtcbin may call it (gst1-java-core holds it too). */
    private ConnectionStateNotify connectionStateNotify;
    private final ConnectionHealth health = new ConnectionHealth();
    /** The figures of the last stats reply; read by operators from any thread. */
    private volatile MediaFigures figures = MediaFigures.NONE;
    /** When each step of the start was done, in order: see {@link #startup()}. */
    private final Map<String, Instant> startup = new LinkedHashMap<>();
    /** The stats request in flight (its promise must stay reachable until it is answered), or null. */
    private Promise statsRequest;
    private long statsRequestedAt;
    private static final long STATS_TIMEOUT_NANOS = 5_000_000_000L;

    /** webrtcbin's {@code notify::connection-state}: (object, param spec, user data). */
    private interface ConnectionStateNotify extends Callback {
        void callback(Pointer webrtcbin, Pointer paramSpec, Pointer userData);
    }

    /** @param linger how long the desktop's stream keeps encoding if this is its last listener to leave */
    StreamListener(DesktopStreams streams, PulseAudioDesktop desktop, IceServers iceServers, Duration linger,
            MediaTuning tuning, Listener listener, ScheduledExecutorService scheduler) {
        this.streams = streams;
        this.desktop = desktop;
        this.iceServers = iceServers;
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
        mark("media start");
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
        mark("stream playing");
        if (failure == null) {
            failure = joined.attach(this, buildBranch(joined.trace()));
            mark("branch linked");
            synchronized (lock) {
                inStream = failure == null;
            }
            askForOffer();
        }
        if (failure != null) {
            fail(failure);
        }
    }

    private Bin buildBranch(OnsetTrace trace) {
        synchronized (lock) {
            branch = Gst.parseBinFromDescription(BRANCH, true);
            if (trace != null) {
                Element payloader = branch.getElementByName("payloader");
                tracedPayloaderOutput = payloader.getStaticPad("src"); // kept: its wrapper holds the probe's callback
                trace.watchPacker(tracedPayloaderOutput);
                payloader.dispose();
            }
            // Every wrapper gst1-java-core hands out holds a reference until the collector
            // runs: wrappers used once are disposed at once, or elements (and their ICE
            // sockets) would outlive their call until the next GC.
            webrtc = (WebRTCBin) branch.getElementByName("webrtc");
            // webrtcbin offers only once caps reach it; codec preferences on the transceiver
            // let the offer leave at once, before the first packet.
            Pad sendPad = webrtc.getStaticPad("sink_0");
            GObjectCalls.setOnObjectProperty(sendPad, "transceiver", "codec-preferences",
                    Caps.fromString(RTP_CAPS));
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
            // Connected is the moment the first audio leaves; taken when webrtcbin says so, and
            // handled on the scheduler, away from webrtcbin's thread.
            connectionStateNotify = (object, paramSpec, userData) -> {
                long at = System.nanoTime();
                scheduler.execute(() -> connectionStateChanged(at));
            };
            webrtc.connect("notify::connection-state", ConnectionStateNotify.class, connectionStateNotify,
                    connectionStateNotify);
            healthWatch = scheduler.scheduleWithFixedDelay(this::checkHealth, ConnectionHealth.POLL_MILLIS,
                    ConnectionHealth.POLL_MILLIS, TimeUnit.MILLISECONDS);
            return branch;
        }
    }

    /**
     * webrtcbin asks for negotiation while its branch is still on its way to PLAYING (from
     * READY to PAUSED). An offer made then makes rtpbin's session elements on webrtcbin's
     * thread, each set to the state rtpbin is heading for at that moment, READY say, while
     * this thread finishes the branch's state change: an element set late to a stale READY
     * stays there, its pads flushing, and the first RTP from the browser stops the receive
     * path for good (nicesrc "pausing after gst_pad_push() = flushing": no microphone, no
     * RTCP, no consent). Seen in 4 of 302 calls with the microphone on from the start.
     * So the offer is asked for only once the branch plays and is linked.
     */
    private void negotiationNeeded(Element element) {
        synchronized (lock) {
            negotiationWanted = true;
        }
        askForOffer();
    }

    /** Asks once, when webrtcbin wants negotiation and its branch plays, whichever comes last. */
    private void askForOffer() {
        try {
            synchronized (lock) {
                if (!closed && inStream && negotiationWanted && offerRequest == null) {
                    // WebRTCBin.createOffer keeps its promise only in a local variable, so the
                    // collector may take it, with its native callback, before the offer is
                    // ready; this field keeps it reachable.
                    offerRequest = new Promise(this::offerReady);
                    mark("offer asked");
                    webrtc.emit("create-offer", null, offerRequest);
                }
            }
        } catch (Throwable e) {
            LOG.log(Level.WARNING, "asking for an offer failed", e);
            fail("asking for an offer failed: " + e.getMessage());
        }
    }

    private void offerReady(Promise promise) {
        mark("offer created");
        try {
            WebRTCSessionDescription offer = (WebRTCSessionDescription) promise.getReply().getValue("offer");
            offer.disown();
            synchronized (lock) {
                if (closed) {
                    return;
                }
                String sdp = SdpText.of(offer);
                tuneIceAgent();
                webrtc.setLocalDescription(offer);
                offerApplied = true;
                mark("local description set");
                listener.onOffer(sdp);
                mark("offer sent");
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
     *
     * <p>There the checks' pace is set too. libnice sends one connectivity check each Ta
     * (default 20 ms); as the controlling agent with regular nomination (webrtcbin 1.22) it
     * needs about three (check, then USE-CANDIDATE) before its side is connected, and
     * webrtcbin holds DTLS until then: 63-222 ms after the answer here, median ~75, while
     * Chrome was connected ~20 ms after it (libnice's log of fresh loads). At 5 ms: median ~36.
     * Called under the lock, as the offer is applied.
     */
    private void tuneIceAgent() {
        boolean done = false;
        for (Element element : webrtc.getElementsRecursive()) {
            if (!done && element.getFactory() != null && "nicesrc".equals(element.getFactory().getName())) {
                // one ICE agent serves all of this webrtcbin's transports
                GObjectCalls.setOnObjectProperty(element, "agent", "upnp", false);
                GObjectCalls.setOnObjectProperty(element, "agent", "stun-pacing-timer", tuning.iceCheckPacingMs());
                // read back for operators and tests: what libnice took, not what was asked
                figures = figures.withIceCheckPacingMs(
                        GObjectCalls.intOnObjectProperty(element, "agent", "stun-pacing-timer"));
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

    /**
     * On webrtcbin's receive thread, at the first RTP: linked at once to a playing bin that
     * takes whatever comes (its valve drops it until the sink is there). That thread carries
     * everything the browser sends from the ICE socket on (RTCP, STUN consent too), so it
     * must not wait for the desktop's PulseAudio, which is connected to later, on the
     * scheduler ({@link #connectMicrophoneSink}).
     */
    private void incomingPad(Element element, Pad pad) {
        try {
            synchronized (lock) {
                if (closed || pad.getDirection() != PadDirection.SRC || microphone != null) {
                    return; // one m-line, one microphone
                }
                // Only the input is ghosted: the valve's output stays free for the sink.
                microphone = Gst.parseBinFromDescription(MICROPHONE, false);
                Element queue = microphone.getElementByName("microphone-input");
                Pad queueInput = queue.getStaticPad("sink");
                GhostPad input = new GhostPad("sink", queueInput);
                microphone.addPad(input);
                queueInput.dispose();
                queue.dispose();
                branch.add(microphone);
                microphone.syncStateWithParent();
                pad.link(input);
                input.dispose();
            }
            scheduler.execute(this::connectMicrophoneSink);
        } catch (Throwable e) {
            LOG.log(Level.WARNING, "linking the browser's microphone failed", e);
        }
    }

    /**
     * The desktop's microphone sink, behind the valve: once it has connected to the desktop's
     * PulseAudio, the valve opens. A sink that cannot connect (its bus error says why, as a
     * warning) is taken out again and the valve stays shut: the browser's microphone goes
     * nowhere, and the call goes on. A pulsesink left in NULL must never be linked (see
     * MicrophoneGate).
     */
    private void connectMicrophoneSink() {
        try {
            synchronized (lock) {
                if (closed || microphone == null || microphoneGate != null) {
                    return;
                }
                // Kept while the call lasts: the bus handler gets this very wrapper as the source
                // of the sink's errors (see DesktopStream's capture).
                microphoneSink = Gst.parseLaunch(tuning.microphoneSink()); // one element: the sink itself
                if (desktop.server() != null) {
                    microphoneSink.set("server", desktop.server());
                }
                microphoneSink.set("device", desktop.microphoneSink());
                microphone.add(microphoneSink);
                PulseCookies.open(desktop.cookie(), microphoneSink::syncStateWithParent);
                if (microphoneSink.getState(0) == State.NULL) {
                    microphoneSink.setState(State.NULL);
                    microphone.remove(microphoneSink);
                    return;
                }
                Element valve = microphone.getElementByName("microphone-gate");
                try {
                    if (!valve.link(microphoneSink)) {
                        throw new IllegalStateException("the microphone's valve did not link to its sink");
                    }
                    valve.set("drop", false); // the gate starts open; it shuts after a second without RTP
                } finally {
                    valve.dispose();
                }
                microphoneGate = new MicrophoneGate(microphone, desktop.cookie());
                microphoneWatch = scheduler.scheduleWithFixedDelay(this::checkMicrophone,
                        MicrophoneGate.POLL_MILLIS, MicrophoneGate.POLL_MILLIS, TimeUnit.MILLISECONDS);
            }
        } catch (Throwable e) {
            LOG.log(Level.WARNING, "connecting the browser's microphone to the desktop failed", e);
        }
    }

    private void connectionStateChanged(long atNanos) {
        try {
            boolean nowConnected;
            synchronized (lock) {
                nowConnected = !closed && webrtc.getConnectionState() == WebRTCPeerConnectionState.CONNECTED
                        && health.connected(atNanos);
            }
            if (nowConnected) {
                reportConnected();
            }
        } catch (Throwable e) {
            LOG.log(Level.WARNING, "reporting the call connected failed", e);
        }
    }

    /** Outside the lock: the listener may answer on the signalling side. */
    private void reportConnected() {
        mark("connected");
        listener.onConnected();
    }

    /**
     * Once a second: the ICE state (failed, or disconnected past a grace, is a lost
     * connection, since webrtcbin 1.22 cannot restart ICE) and, once connected, a stats
     * request whose reply gives the figures and tells whether receiver reports still come.
     */
    private void checkHealth() {
        String lost;
        boolean nowConnected = false;
        try {
            synchronized (lock) {
                // Not before the offer is applied: webrtcbin answers create-offer holding its own
                // lock, and offerReady takes this one, while this watch, holding this one, reads
                // webrtcbin's properties, which takes webrtcbin's.
                if (closed || failed || !offerApplied) {
                    return;
                }
                long now = System.nanoTime();
                if (!health.isConnected() && webrtc.getConnectionState() == WebRTCPeerConnectionState.CONNECTED) {
                    nowConnected = health.connected(now); // in case the notification's moment was missed
                }
                String iceState = IceStates.name(webrtc.get("ice-connection-state"));
                if (!iceState.equals(figures.iceState())) {
                    figures = figures.withIceState(iceState);
                }
                lost = health.iceState(iceState, now);
                if (statsRequest != null && now - statsRequestedAt > STATS_TIMEOUT_NANOS) {
                    LOG.warning("webrtcbin did not answer a stats request in 5 s; asking again");
                    statsRequest.interrupt();
                    statsRequest = null;
                }
                if (lost == null && health.isConnected() && statsRequest == null) {
                    statsRequest = new Promise(this::statsReady);
                    statsRequestedAt = now;
                    webrtc.emit("get-stats", null, statsRequest);
                }
            }
        } catch (Throwable e) {
            LOG.log(Level.WARNING, "checking the call's connection failed", e);
            return;
        }
        if (nowConnected) {
            reportConnected();
        }
        if (lost != null) {
            listener.onConnectionLost(lost);
        }
    }

    /**
     * On webrtcbin's thread, which holds webrtcbin's own lock while it answers: the reply is
     * read here (it lives as long as the promise) without taking this listener's lock, since a
     * thread holding that lock may be waiting for webrtcbin's (a property read), and the two
     * would deadlock. The figures are applied on the scheduler.
     */
    private void statsReady(Promise promise) {
        WebRtcStats read = null;
        try {
            // an interrupted (or expired) promise has no reply, and gst1-java-core's getReply fails
            // on none; the promise is no longer pending here, so waitResult does not wait
            Structure reply = promise.waitResult() == PromiseResult.REPLIED ? promise.getReply() : null;
            if (reply != null && reply.hasName("application/x-webrtc-stats")) {
                read = WebRtcStats.read(reply);
            }
        } catch (Throwable e) {
            LOG.log(Level.WARNING, "reading the call's stats failed", e);
        }
        WebRtcStats stats = read;
        try {
            scheduler.execute(() -> statsRead(promise, stats));
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "stats after the scheduler stopped", e); // the server is stopping
        }
    }

    /** On the scheduler: the figures of a stats reply (null: interrupted or an error). */
    private void statsRead(Promise promise, WebRtcStats stats) {
        boolean silent;
        try {
            synchronized (lock) {
                if (statsRequest == promise) {
                    statsRequest = null;
                }
                if (closed || stats == null) {
                    return;
                }
                long now = System.nanoTime();
                Double bitrate = health.bitsPerSecond(stats.bytesSent(), now);
                figures = new MediaFigures(stats.path(), figures.iceState(), stats.roundTripSeconds(),
                        stats.fractionLost(), stats.packetsLost(), stats.jitterSeconds(), stats.bytesSent(),
                        stats.packetsSent(), bitrate, microphoneGate != null && microphoneGate.isOpen(),
                        figures.iceCheckPacingMs());
                silent = health.receiverReport(stats.receiverReport(), now);
            }
        } catch (Throwable e) {
            LOG.log(Level.WARNING, "applying the call's stats failed", e);
            return;
        }
        if (silent) {
            reportSilence();
        }
    }

    private void reportSilence() {
        try {
            synchronized (lock) {
                if (closed) {
                    return;
                }
            }
            listener.onBrowserSilent();
        } catch (Throwable e) {
            LOG.log(Level.WARNING, "reporting a silent browser failed", e);
        }
    }

    @Override
    public Map<String, Instant> startup() {
        synchronized (startup) {
            return Collections.unmodifiableMap(new LinkedHashMap<>(startup));
        }
    }

    private void mark(String step) {
        Instant now = Instant.now();
        synchronized (startup) {
            startup.putIfAbsent(step, now);
        }
    }

    @Override
    public MediaFigures figures() {
        return figures;
    }

    @Override
    public String desktop() {
        return desktop.serverLabel() + ", sink " + desktop.speakerSink();
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

    /** A bus error from an element of this listener's bin. */
    @Override
    public void branchError(String element, String message) {
        if ("microphone".equals(element)) {
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
        } else {
            fail("the sound pipeline failed in " + element + ": " + message);
        }
    }

    /** The desktop's stream failed: this call cannot go on. */
    @Override
    public void streamFailed(String message) {
        fail(message);
    }

    /**
     * A webrtcbin stopped between its offer and the end of ICE gathering never frees its
     * ICE agent, whose sockets then stay open for good (seen: one agent in a few hundred
     * calls closed that early). So a call that has asked for an offer is stopped only once
     * gathering is complete, which takes milliseconds; 2 s at most.
     */
    private void awaitIceSettled() {
        boolean settled = awaitUnderLock(2000, () -> closed || offerRequest == null
                || (offerApplied && webrtc.getICEGatheringState() == WebRTCICEGatheringState.COMPLETE));
        if (!settled) {
            LOG.warning("ICE gathering did not complete in 2 s; stopping the call anyway");
        }
    }

    /** Polls a condition on this listener's state (checked under the lock) for a while. */
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

    private static void closeQuietly(Runnable close) {
        try {
            close.run();
        } catch (Throwable e) {
            LOG.log(Level.WARNING, "stopping the microphone failed", e);
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
            mark("answer applied");
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
        if (webrtc != null) {
            awaitIceSettled();
        }
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            if (microphoneWatch != null) {
                microphoneWatch.cancel(false);
            }
            if (healthWatch != null) {
                healthWatch.cancel(false);
            }
            if (statsRequest != null) {
                statsRequest.interrupt(); // its answer, if one comes, finds the listener closed
            }
        }
        if (stream == null) {
            return;
        }
        try {
            if (microphoneGate != null) {
                // Its sink is locked out of the bin's state changes: stopped first, whatever follows.
                closeQuietly(microphoneGate::close);
            }
            if (inStream) {
                stream.unfeed(branch);
                stream.remove(branch);
            }
            if (microphoneSink != null) {
                microphoneSink.dispose();
            }
            if (microphone != null) {
                microphone.dispose();
            }
            if (branch != null) {
                webrtc.disconnect(ConnectionStateNotify.class, connectionStateNotify);
                webrtc.dispose();
                branch.dispose();
            }
        } catch (Throwable e) {
            LOG.log(Level.WARNING, "taking a listener out of the desktop's stream failed", e);
        } finally {
            LIVE.decrementAndGet();
            streams.leave(stream, linger);
        }
    }
}
