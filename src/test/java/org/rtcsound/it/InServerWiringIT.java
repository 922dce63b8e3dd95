package org.rtcsound.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.Config;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.rtcsound.config.SoundSettings;
import org.rtcsound.desktop.DesktopLocator;
import org.rtcsound.media.GStreamerRuntime;
import org.rtcsound.media.MediaPeer;
import org.rtcsound.media.MediaService;
import org.rtcsound.media.SerialTasks;
import org.rtcsound.testing.SuitePulseAudio;

/**
 * The wiring that exists only inside the server, tested there with Arquillian's Liberty
 * managed container: CDI beans, MicroProfile Config injection, GStreamer initialised at
 * start-up, and the managed executor running a real pipeline against the suite's
 * PulseAudio.
 */
@ExtendWith(SuitePulseAudio.class)
@ExtendWith(ArquillianExtension.class)
class InServerWiringIT {

    @Deployment
    static WebArchive deployment() {
        return ShrinkWrap.create(WebArchive.class, "rtcsound-arquillian.war")
                .addPackages(true, "org.rtcsound.config", "org.rtcsound.desktop", "org.rtcsound.media",
                        "org.rtcsound.signalling", "org.rtcsound.ice", "org.rtcsound.api", "org.rtcsound.admin")
                // the extension that started PulseAudio is named on this class, so it comes along
                .addPackage("org.rtcsound.testing")
                .addAsResource(new File("src/main/resources/META-INF/microprofile-config.properties"),
                        "META-INF/microprofile-config.properties")
                .addAsResource(new File("src/main/resources/od.config"), "od.config")
                .addAsResource(new File("src/main/resources/META-INF/services/"
                        + "org.eclipse.microprofile.config.spi.ConfigSource"),
                        "META-INF/services/org.eclipse.microprofile.config.spi.ConfigSource")
                .addAsWebInfResource(new File("src/main/webapp/WEB-INF/beans.xml"), "beans.xml");
    }

    @Inject
    GStreamerRuntime gstreamer;

    @Inject
    SoundSettings settings;

    @Inject
    DesktopLocator desktops;

    @Inject
    MediaService media;

    @Resource(lookup = "concurrent/media")
    ManagedExecutorService executor;

    @Test
    void gstreamerIsInitialisedWhenTheApplicationStarts() {
        assertTrue(gstreamer.ready(), gstreamer.problem());
    }

    @Test
    void settingsComeFromMicroProfileConfig() {
        assertTrue(settings.webrtcEnabled());
        assertEquals(65536, settings.maxFrameBytes());
        assertEquals("{\"iceServers\":[]}", settings.rtcConfiguration().toString());
        assertEquals(System.getenv("PULSE_SERVER"), desktops.locate("anyone").server(),
                "the desktop's PulseAudio is PULSE_SERVER when nothing else is configured");
    }

    @Inject
    Config config;

    @Test
    void odConfigIsAMicroProfileConfigSourceBelowTheEnvironment() {
        // the bundled sample: this server has no RTCSOUND_ODCONFIG_FILE
        assertEquals("od.config", config.getConfigValue("webrtc.enable").getSourceName());
        assertEquals("true", config.getValue("desktop.pod.sound.enable", String.class));
        assertEquals("abcdesktopio/oc.pulseaudio:3.2", config.getValue("desktop.pod.sound.image", String.class));
        assertEquals("{\"permit\":[\"all\"]}", config.getValue("desktop.pod.sound.acl", String.class));
        assertNull(settings.soundOffReason());
    }

    @Test
    void theManagedExecutorRunsAPipelineThatOffersAndStops() throws Exception {
        assertNotNull(executor, "the server's managed executor is injected");
        CompletableFuture<String> offer = new CompletableFuture<>();
        CompletableFuture<String> failure = new CompletableFuture<>();
        MediaPeer peer = media.createPeer(desktops.locate("anyone"), null, new MediaPeer.Listener() {
            @Override
            public void onOffer(String sdp) {
                offer.complete(sdp);
            }

            @Override
            public void onLocalCandidate(int sdpMLineIndex, String candidate) {
            }

            @Override
            public void onError(String message) {
                failure.complete(message);
            }
        });
        SerialTasks tasks = media.serialTasks(e -> failure.complete(String.valueOf(e)));
        int before = media.livePipelines();
        tasks.submit(peer::start);
        String sdp = offer.get(10, TimeUnit.SECONDS);
        assertTrue(sdp.contains("m=audio") && sdp.contains("OPUS/48000/2"), sdp);
        assertEquals(before + 1, media.livePipelines());
        tasks.submit(peer::close).get(10, TimeUnit.SECONDS);
        assertEquals(before, media.livePipelines());
        assertTrue(!failure.isDone(), () -> "pipeline failed: " + failure.join());
    }
}
