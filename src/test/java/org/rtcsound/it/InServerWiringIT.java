package org.rtcsound.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.spi.ConfigProviderResolver;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.rtcsound.config.Coturn;
import org.rtcsound.call.Refusal.InvalidSetting;
import org.rtcsound.config.OdConfig;
import org.rtcsound.config.OdConfigReader;
import org.rtcsound.config.OdConfigStore;
import org.rtcsound.config.SoundSettings;
import org.rtcsound.desktop.DesktopLocator;
import org.rtcsound.media.GStreamerRuntime;
import org.rtcsound.call.MediaPeer;
import org.rtcsound.call.SerialWork;
import org.rtcsound.media.MediaService;
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

    /** The WAR the build made (what ships), with the test's own support classes added. */
    @Deployment
    static WebArchive deployment() {
        return ShrinkWrap.create(WebArchive.class, "rtcsound-arquillian.war")
                .merge(ShrinkWrap.createFromZipFile(WebArchive.class, new File("target/rtcsound.war")))
                // the extension that started PulseAudio is named on this class, so it comes along
                .addPackage("org.rtcsound.testing");
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

    /** The typed view over a real MicroProfile Config built from od.config text. */
    private static SoundSettings settingsFor(String odConfig) throws Exception {
        OdConfig parsed = OdConfigReader.read("test", ("[global]\n" + odConfig).getBytes(StandardCharsets.UTF_8));
        Map<String, String> properties = OdConfigStore.properties(parsed);
        ConfigSource source = new ConfigSource() {
            @Override
            public Set<String> getPropertyNames() {
                return properties.keySet();
            }

            @Override
            public String getValue(String name) {
                return properties.get(name);
            }

            @Override
            public String getName() {
                return "test od.config";
            }
        };
        return new SoundSettings(ConfigProviderResolver.instance().getBuilder().withSources(source).build());
    }

    @Test
    void coturnIsReadWithEveryFieldOrRefusedNamingTheMissingOne() throws Exception {
        assertTrue(settings.coturn().isEmpty(), "the bundled sample has no coturn");
        Coturn coturn = settingsFor("webrtc.coturn : { 'coturn_static_auth_secret': 'CHANGEME', 'ttl': 3600,\n"
                + "    'protocol': 'turns', 'url': 'turn.domain.local:3478' }").coturn().orElseThrow();
        assertEquals(new Coturn("CHANGEME", 3600, "turns", "turn.domain.local:3478"), coturn);
        assertFalse(coturn.toString().contains("CHANGEME"), "no secret in toString");
        InvalidSetting missing = assertThrows(InvalidSetting.class,
                () -> settingsFor("webrtc.coturn : { 'ttl': 3600, 'protocol': 'turn', 'url': 'h:3478' }").coturn());
        assertEquals("setting 'webrtc.coturn' lacks the field 'coturn_static_auth_secret'", missing.getMessage());
        InvalidSetting protocol = assertThrows(InvalidSetting.class, () -> settingsFor(
                "webrtc.coturn : { 'coturn_static_auth_secret': 's', 'ttl': 60, 'protocol': 'http', 'url': 'h' }").coturn());
        assertEquals("setting 'webrtc.coturn' field 'protocol' must be 'turn' or 'turns', got 'http'",
                protocol.getMessage());
    }

    @Test
    void stunServerComesFromDesktopEnvlocal() throws Exception {
        assertEquals("stun://stun.l.google.com:19302", settingsFor(
                "desktop.envlocal : { 'STUN_SERVER': 'stun://stun.l.google.com:19302' }").stunServer().orElseThrow());
        assertTrue(settingsFor("desktop.envlocal : { 'X11LISTEN': 'tcp' }").stunServer().isEmpty());
        assertEquals("sound is turned off on this server (desktop.pod's 'sound' entry has 'enable': False)",
                settingsFor("webrtc.enable : True\ndesktop.pod : { 'sound': { 'enable': False } }").soundOffReason());
    }

    @Test
    void theManagedExecutorRunsAListenerThatOffersAndStopsWithItsStream() throws Exception {
        assertNotNull(executor, "the server's managed executor is injected");
        CompletableFuture<String> offer = new CompletableFuture<>();
        CompletableFuture<String> failure = new CompletableFuture<>();
        MediaPeer peer = media.createPeer(desktops.locate("anyone"), null, null, java.time.Duration.ZERO,
                org.rtcsound.media.MediaTuning.DEFAULTS, new MediaPeer.Listener() {
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

            @Override
            public void onWarning(String message) {
                failure.complete(message);
            }
        });
        SerialWork tasks = media.serialWork(e -> failure.complete(String.valueOf(e)));
        int before = media.liveListeners();
        int streamsBefore = media.liveDesktopStreams();
        tasks.submit(peer::start);
        String sdp = offer.get(10, TimeUnit.SECONDS);
        assertTrue(sdp.contains("m=audio") && sdp.contains("OPUS/48000/2"), sdp);
        assertEquals(before + 1, media.liveListeners());
        assertEquals(streamsBefore + 1, media.liveDesktopStreams());
        tasks.submit(peer::close).get(10, TimeUnit.SECONDS);
        assertEquals(before, media.liveListeners());
        assertEquals(streamsBefore, media.liveDesktopStreams(), "no linger: the last listener stops the stream");
        assertTrue(!failure.isDone(), () -> "pipeline failed: " + failure.join());
    }
}
