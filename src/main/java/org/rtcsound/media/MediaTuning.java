package org.rtcsound.media;

import java.util.Locale;

/**
 * The knobs of the sound's way through the server that trade latency for headroom: the
 * capture's segment and buffer, the Opus frame and mode, the microphone sink's buffer, the
 * ICE checks' pace; and whether onsets are traced. A desktop's stream keeps the tuning it
 * started with; each call's microphone takes the tuning in force when the call opens. The
 * defaults are what docs/benchmarks.md measured best here.
 *
 * @param captureLatencyMs    pulsesrc latency-time
 * @param captureBufferMs     pulsesrc buffer-time
 * @param opusFrameMs         opusenc frame-size: 2.5, 5, 10, 20, 40 or 60
 * @param opusAudioType       opusenc audio-type: restricted-lowdelay, generic or voice
 * @param microphoneBufferMs  the microphone pulsesink's buffer-time
 * @param microphoneLatencyMs the microphone pulsesink's latency-time
 * @param iceCheckPacingMs    libnice's stun-pacing-timer (Ta) for the call's ICE agent
 * @param traceOnsets         whether the desktop's stream timestamps each onset of its sound ({@link OnsetTrace})
 */
public record MediaTuning(int captureLatencyMs, int captureBufferMs, String opusFrameMs, String opusAudioType,
        int microphoneBufferMs, int microphoneLatencyMs, int iceCheckPacingMs, boolean traceOnsets) {

    public static final MediaTuning DEFAULTS =
            new MediaTuning(10, 100, "10", "restricted-lowdelay", 60, 10, 5, false);

    /** The desktop stream's capture and encoder, as gst-launch syntax. */
    String captureAndEncoder() {
        return "pulsesrc name=capture client-name=rtcsound buffer-time=" + captureBufferMs * 1000
                + " latency-time=" + captureLatencyMs * 1000 + " do-timestamp=true"
                + " ! audioconvert ! audioresample ! audio/x-raw,format=S16LE,rate=48000,channels=2"
                + " ! queue name=captured max-size-time=40000000 max-size-buffers=0 max-size-bytes=0 leaky=downstream"
                + " ! level name=meter interval=250000000 post-messages=true"
                + " ! opusenc audio-type=" + opusAudioType.toLowerCase(Locale.ROOT) + " frame-size=" + opusFrameMs
                + " bitrate=128000 bitrate-type=cbr";
    }

    /** The microphone's sink into the desktop, as gst-launch syntax (sync=false: play what comes as it comes). */
    String microphoneSink() {
        return "pulsesink name=microphone client-name=rtcsound-microphone buffer-time=" + microphoneBufferMs * 1000
                + " latency-time=" + microphoneLatencyMs * 1000 + " sync=false async=false";
    }
}
