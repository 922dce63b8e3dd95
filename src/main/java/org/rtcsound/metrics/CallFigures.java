package org.rtcsound.metrics;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Tag;
import org.rtcsound.call.Refusal;
import org.rtcsound.media.MediaService;
import org.rtcsound.signalling.SessionRegistry;

/**
 * rtcsound's application metrics. What is open is read when scraped (gauges over the
 * session registry and the media adapter); what happened is counted as the use case sees it.
 * No figure carries a user, a desktop or a token.
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
    }

    public void opened() {
        registry.counter(OPENED).inc();
    }

    public void refused(Refusal refusal) {
        registry.counter(Metadata.builder().withName("rtcsound.calls.refused")
                .withDescription("sessions refused, by kind of refusal").build(), new Tag("reason", refusal.kind())).inc();
    }

    public void failed() {
        registry.counter(FAILED).inc();
    }
}
