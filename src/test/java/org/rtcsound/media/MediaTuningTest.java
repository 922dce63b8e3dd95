package org.rtcsound.media;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.freedesktop.gstreamer.Bin;
import org.freedesktop.gstreamer.Element;
import org.freedesktop.gstreamer.Gst;
import org.freedesktop.gstreamer.Version;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every value the settings accept makes a pipeline GStreamer builds, with the values where they belong. */
class MediaTuningTest {

    @BeforeAll
    static void gstreamer() {
        if (!Gst.isInitialized()) {
            Gst.setSegTrap(false);
            Gst.init(Version.of(1, 16), "MediaTuningTest");
        }
    }

    static List<MediaTuning> tunings() {
        return List.of(MediaTuning.DEFAULTS,
                new MediaTuning(5, 30, "2.5", "generic", 20, 5, 5, false),
                new MediaTuning(20, 400, "5", "voice", 120, 20, 5, true),
                new MediaTuning(10, 100, "20", "restricted-lowdelay", 60, 10, 5, false),
                new MediaTuning(10, 100, "40", "generic", 60, 10, 5, false),
                new MediaTuning(10, 100, "60", "generic", 60, 10, 5, false));
    }

    @ParameterizedTest
    @MethodSource("tunings")
    void theCaptureAndEncoderTakeTheTuning(MediaTuning tuning) {
        Bin bin = Gst.parseBinFromDescription(tuning.captureAndEncoder(), false);
        try {
            Element capture = bin.getElementByName("capture");
            assertEquals(tuning.captureLatencyMs() * 1000L, ((Number) capture.get("latency-time")).longValue());
            assertEquals(tuning.captureBufferMs() * 1000L, ((Number) capture.get("buffer-time")).longValue());
            Element encoder = bin.getElementsSorted().stream()
                    .filter(e -> "opusenc".equals(e.getFactory().getName())).findFirst().orElseThrow();
            // the enum's value is the frame in whole ms (2.5 ms is 2)
            assertEquals((int) Double.parseDouble(tuning.opusFrameMs()), ((Number) encoder.get("frame-size")).intValue(),
                    "frame-size");
            assertEquals(List.of("generic", "voice", "restricted-lowdelay").indexOf(tuning.opusAudioType()),
                    List.of(2049, 2048, 2051).indexOf(((Number) encoder.get("audio-type")).intValue()), "audio-type");
        } finally {
            bin.dispose();
        }
    }

    @ParameterizedTest
    @MethodSource("tunings")
    void theMicrophoneSinkTakesTheTuning(MediaTuning tuning) {
        Element sink = Gst.parseLaunch(tuning.microphoneSink());
        try {
            assertEquals(tuning.microphoneBufferMs() * 1000L, ((Number) sink.get("buffer-time")).longValue());
            assertEquals(tuning.microphoneLatencyMs() * 1000L, ((Number) sink.get("latency-time")).longValue());
            assertEquals(false, sink.get("sync"));
        } finally {
            sink.dispose();
        }
    }
}
