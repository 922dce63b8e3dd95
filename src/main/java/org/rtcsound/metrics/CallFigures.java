package org.rtcsound.metrics;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricID;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.MetricUnits;
import org.eclipse.microprofile.metrics.Tag;
import org.rtcsound.call.Heal;
import org.rtcsound.call.MediaFigures;
import org.rtcsound.call.MediaPeer;
import org.rtcsound.call.Refusal;
import org.rtcsound.media.MediaService;
import org.rtcsound.signalling.SessionRegistry;

/**
 * rtcsound's application metrics. What is open is read when scraped (gauges over the
 * session registry and the media adapter); what happened is counted as the use case sees it.
 * Each connected call has gauges of its own (tag {@code call}: the admin API's call id) over
 * its media figures, removed when it ends. No figure carries a user, a desktop or a token.
 */
@ApplicationScoped
public class CallFigures {

    private static final Metadata OPENED = Metadata.builder().withName("rtcsound.calls.opened")
            .withDescription("calls opened: the caller was admitted and the media side built").build();
    private static final Metadata FAILED = Metadata.builder().withName("rtcsound.calls.failed")
            .withDescription("calls that could not go on once started (their media failed)").build();

    @Inject
    MetricRegistry registry;

    @Inject
    SessionRegistry sessions;

    @Inject
    MediaService media;

    /**
     * Registers the gauges and the counters without labels when the application starts, so
     * that a scrape (and a dashboard) finds them at 0 before any call.
     */
    void onStart(@Observes @Initialized(ApplicationScoped.class) Object application) {
        registry.counter(OPENED);
        registry.counter(FAILED);
        registry.gauge(Metadata.builder().withName("rtcsound.calls.open")
                .withDescription("signalling sessions open (signed in or not)").build(), sessions, SessionRegistry::count);
        registry.gauge(Metadata.builder().withName("rtcsound.listeners")
                .withDescription("calls whose media side is alive: listeners of a desktop stream").build(),
                media, MediaService::liveListeners);
        registry.gauge(Metadata.builder().withName("rtcsound.desktop.streams")
                .withDescription("desktop streams capturing and encoding, lingering ones included").build(),
                media, MediaService::liveDesktopStreams);
        registry.gauge(Metadata.builder().withName("rtcsound.desktop.streams.created")
                .withDescription("desktop streams ever started by this server (only grows)").build(),
                media, MediaService::desktopStreamsCreated);
        registry.gauge(Metadata.builder().withName("rtcsound.desktop.streams.stalled")
                .withDescription("desktop streams ended because no audio came from their PulseAudio (only grows)")
                .build(), media, MediaService::desktopStreamStalls);
        registry.gauge(Metadata.builder().withName("rtcsound.listeners.created")
                .withDescription("listeners ever started by this server (only grows)").build(),
                media, MediaService::listenersCreated);
        applicationLoader = Thread.currentThread().getContextClassLoader();
        firstAudio();
        for (Heal heal : Heal.values()) {
            heals(heal); // at 0 from the start, so that a dashboard's rate has a series before the first heal
        }
    }

    /**
     * The class loader of the application's own threads. Calls arrive from GStreamer's threads
     * too (directly, or through tasks they submitted), which have none; registering a metric
     * there fails inside SmallRye Config (NullPointerException on the class loader).
     */
    private volatile ClassLoader applicationLoader;

    private void inApplication(Runnable registration) {
        Thread thread = Thread.currentThread();
        ClassLoader own = thread.getContextClassLoader();
        thread.setContextClassLoader(applicationLoader != null ? applicationLoader : own);
        try {
            registration.run();
        } finally {
            thread.setContextClassLoader(own);
        }
    }

    private org.eclipse.microprofile.metrics.Timer firstAudio() {
        return registry.timer(Metadata.builder().withName("rtcsound.first.audio")
                .withDescription("from a call's HELLO to its media connected (ICE and DTLS up: the first audio leaves)")
                .build());
    }

    private org.eclipse.microprofile.metrics.Counter heals(Heal heal) {
        return registry.counter(Metadata.builder().withName("rtcsound.heals")
                .withDescription("calls healed (or freed) with no page reloaded, by kind").build(),
                new Tag("kind", heal.label()));
    }

    /**
     * Calls whose gauges are registered. Registering and removing are serialized: a call that
     * ends while its connection is being reported once made SmallRye's remove fail (a gauge
     * half-registered), and the call's release with it.
     */
    private final java.util.Set<String> measured = new java.util.HashSet<>();

    /** A call's media connected this long after its HELLO: its gauges start here. */
    public synchronized void connected(String callId, MediaPeer peer, Duration sinceHello) {
        if (!measured.add(callId)) {
            return;
        }
        inApplication(() -> {
            firstAudio().update(sinceHello);
            Tag call = new Tag("call", callId);
            for (CallGauge gauge : CALL_GAUGES) {
                registry.gauge(Metadata.builder().withName(gauge.name()).withDescription(gauge.description())
                        .withUnit(gauge.unit()).build(), peer, p -> gauge.value().applyAsDouble(p.figures()), call);
            }
        });
    }

    /** The call's gauges go with it. */
    public synchronized void ended(String callId) {
        if (!measured.remove(callId)) {
            return; // never connected, or already forgotten
        }
        Tag call = new Tag("call", callId);
        inApplication(() -> CALL_GAUGES.forEach(gauge -> registry.remove(new MetricID(gauge.name(), call))));
    }

    public void healed(Heal heal) {
        inApplication(() -> heals(heal).inc());
    }

    /** The media side's own heals (a stalled stream), fired as CDI events. */
    void onMediaHeal(@Observes Heal heal) {
        healed(heal);
    }

    private record CallGauge(String name, String description, String unit, ToDoubleFunction<MediaFigures> value) {
    }

    /** NaN is what Prometheus shows for "not measured yet" (no receiver report so far). */
    private static ToDoubleFunction<MediaFigures> orNaN(Function<MediaFigures, ? extends Number> figure) {
        return f -> {
            Number n = figure.apply(f);
            return n == null ? Double.NaN : n.doubleValue();
        };
    }

    private static final List<CallGauge> CALL_GAUGES = List.of(
            new CallGauge("rtcsound.call.round.trip", "round-trip time from the browser's last RTCP receiver report",
                    MetricUnits.SECONDS, orNaN(MediaFigures::roundTripSeconds)),
            new CallGauge("rtcsound.call.fraction.lost", "fraction of packets the browser lost, last receiver report",
                    MetricUnits.NONE, orNaN(MediaFigures::fractionLost)),
            new CallGauge("rtcsound.call.packets.lost", "packets the browser lost in all",
                    MetricUnits.NONE, orNaN(MediaFigures::packetsLost)),
            new CallGauge("rtcsound.call.jitter", "the browser's interarrival jitter, last receiver report",
                    MetricUnits.SECONDS, orNaN(MediaFigures::jitterSeconds)),
            new CallGauge("rtcsound.call.sent", "RTP bytes sent to the browser",
                    MetricUnits.BYTES, f -> f.bytesSent()),
            new CallGauge("rtcsound.call.packets.sent", "RTP packets sent to the browser",
                    MetricUnits.NONE, f -> f.packetsSent()),
            new CallGauge("rtcsound.call.bitrate", "bits per second sent to the browser, over the last second",
                    "bits_per_second", orNaN(MediaFigures::bitsPerSecond)));

    public void opened() {
        inApplication(() -> registry.counter(OPENED).inc());
    }

    public void refused(Refusal refusal) {
        inApplication(() -> registry.counter(Metadata.builder().withName("rtcsound.calls.refused")
                .withDescription("sessions refused, by kind of refusal").build(), new Tag("reason", refusal.kind())).inc());
    }

    public void failed() {
        inApplication(() -> registry.counter(FAILED).inc());
    }
}
