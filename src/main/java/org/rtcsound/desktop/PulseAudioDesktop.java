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
 * @param cookie          what rtcsound authenticates with to that PulseAudio, or null where it
 *                        admits rtcsound without one (auth-ip-acl, auth-anonymous)
 */
public record PulseAudioDesktop(String server, String speakerSink, String microphoneSink, PulseCookie cookie) {

    public String speakerMonitor() {
        return speakerSink + ".monitor";
    }

    /** For messages: the server as a person would recognise it. */
    public String serverLabel() {
        return server == null ? "the default PulseAudio server" : "PulseAudio server " + server;
    }
}
