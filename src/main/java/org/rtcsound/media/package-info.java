/**
 * The GStreamer adapter of the call core's media port: the runtime initialised once at start-up,
 * one {@code webrtcbin} pipeline per call, run in order on the managed executor
 * {@code concurrent/media}.
 */
package org.rtcsound.media;
