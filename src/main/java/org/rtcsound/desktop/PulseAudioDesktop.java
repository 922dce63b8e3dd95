package org.rtcsound.desktop;

/**
 * Where one desktop's sound lives: its PulseAudio server and the two devices rtcsound
 * uses there. rtcsound never loads modules into a desktop's PulseAudio; the devices
 * must exist.
 *
 * @param server          a PulseAudio server string (unix:/path or tcp:host:port), or
 *                        null for libpulse's own default
 * @param speakerSink     the sink the desktop plays into; its monitor is streamed
 * @param microphoneSink  the sink the browser's microphone is played into
 */
public record PulseAudioDesktop(String server, String speakerSink, String microphoneSink) {

    public String speakerMonitor() {
        return speakerSink + ".monitor";
    }

    /** For messages: the server as a person would recognise it. */
    public String serverLabel() {
        return server == null ? "the default PulseAudio server" : "PulseAudio server " + server;
    }
}
