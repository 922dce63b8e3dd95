package org.rtcsound.media;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;

import org.freedesktop.gstreamer.Element;
import org.freedesktop.gstreamer.ElementFactory;
import org.freedesktop.gstreamer.Gst;
import org.freedesktop.gstreamer.Version;

/**
 * GStreamer, initialised once when the application starts so that no session pays for
 * it on the way from HELLO to the offer. It is never de-initialised: GStreamer cannot be
 * initialised again in the same process.
 */
@ApplicationScoped
public class GStreamerRuntime {

    private static final Logger LOG = Logger.getLogger(GStreamerRuntime.class.getName());

    /** Every element rtcsound uses, with the Debian package that has it. */
    static final Map<String, String> ELEMENTS = new LinkedHashMap<>();

    static {
        ELEMENTS.put("pulsesrc", "gstreamer1.0-plugins-good");
        ELEMENTS.put("pulsesink", "gstreamer1.0-plugins-good");
        ELEMENTS.put("audioconvert", "gstreamer1.0-plugins-base");
        ELEMENTS.put("audioresample", "gstreamer1.0-plugins-base");
        ELEMENTS.put("opusenc", "gstreamer1.0-plugins-base");
        ELEMENTS.put("opusdec", "gstreamer1.0-plugins-base");
        ELEMENTS.put("rtpopuspay", "gstreamer1.0-plugins-good");
        ELEMENTS.put("rtpopusdepay", "gstreamer1.0-plugins-good");
        ELEMENTS.put("webrtcbin", "gstreamer1.0-plugins-bad");
        ELEMENTS.put("nicesrc", "gstreamer1.0-nice");
        ELEMENTS.put("errorignore", "gstreamer1.0-plugins-bad");
    }

    private volatile String problem = "GStreamer is not initialised yet";
    /** GStreamer's own count of its live objects, only when the server runs with GST_TRACERS=leaks. */
    private volatile LiveObjects liveObjects;

    void onStart(@Observes @Initialized(ApplicationScoped.class) Object application) {
        initialise();
    }

    synchronized void initialise() {
        if (problem == null) {
            return;
        }
        long started = System.nanoTime();
        try {
            PulseCookies.install();
            if (!Gst.isInitialized()) {
                // GStreamer traps SIGSEGV while it loads a plugin, and the JVM raises SIGSEGV on
                // purpose (safepoint polls, implicit null checks): one on any Java thread in that
                // window killed a server at start-up ("Caught a segmentation fault while loading
                // plugin file .../libgstsrtp.so", seen once in a suite run, during the warm-up).
                Gst.setSegTrap(false);
                Gst.init(Version.of(1, 16), "rtcsound");
            }
            StringBuilder missing = new StringBuilder();
            ELEMENTS.forEach((element, debianPackage) -> {
                if (ElementFactory.find(element) == null) {
                    missing.append(missing.length() == 0 ? "" : ", ")
                            .append(element).append(" (").append(debianPackage).append(')');
                }
            });
            problem = missing.length() == 0 ? null
                    : "GStreamer elements are missing: " + missing + "; install those Debian packages";
            if (problem == null) {
                warmUp();
            }
            liveObjects = LiveObjects.find();
        } catch (Throwable e) {
            problem = "GStreamer cannot start (" + e.getClass().getSimpleName() + ": " + e.getMessage()
                    + "); install the Debian packages gstreamer1.0-plugins-base, -good, -bad and gstreamer1.0-nice";
        }
        if (problem == null) {
            LOG.info(() -> "GStreamer " + Gst.getVersionString() + " ready in "
                    + (System.nanoTime() - started) / 1_000_000 + " ms");
        } else {
            LOG.log(Level.SEVERE, problem);
        }
    }

    /**
     * Makes once, before the server is ready, what the first call would otherwise wait for:
     * the plugins' shared libraries loaded, and the DTLS certificate that every webrtcbin of
     * the process shares (an RSA key generated when the first DTLS element is made).
     */
    private static void warmUp() {
        for (String factory : List.of("webrtcbin", "dtlsdec", "dtlsenc", "nicesrc", "opusenc", "rtpopuspay")) {
            Element element = ElementFactory.make(factory, null);
            if (element != null) {
                element.dispose();
            }
        }
    }

    public boolean ready() {
        return problem == null;
    }

    /** The leaks tracer's count of live GStreamer objects, or null when it is not running (the usual case). */
    LiveObjects liveObjects() {
        return liveObjects;
    }

    /** Why sound cannot work, or null when it can. */
    public String problem() {
        return problem;
    }
}
