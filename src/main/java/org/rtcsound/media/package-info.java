/**
 * The GStreamer adapter of the call core's media port: the runtime initialised once at start-up,
 * one capture and encoder per desktop shared by its calls (each a {@code webrtcbin} branch off a
 * tee), run in order on the managed executor {@code concurrent/media}; and each call's watch over
 * its own connection (webrtcbin's states and {@code get-stats}: the figures operators see, a lost
 * connection, a browser gone silent), reported to the core through the port's listener;
 * and, for soak tests and leak hunts, GStreamer's own count of its live objects when its leaks
 * tracer runs ({@code LiveObjects}), and for latency work each onset's way through the
 * pipeline ({@code OnsetTrace}). The latency settings a stream and a call start with are a
 * {@code MediaTuning}.
 */
package org.rtcsound.media;
