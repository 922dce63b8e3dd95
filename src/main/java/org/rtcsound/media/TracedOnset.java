package org.rtcsound.media;

import java.util.List;

/**
 * One onset of a desktop's sound on its way through the server ({@link OnsetTrace}). Times
 * are microseconds since the epoch (the page's performance.timeOrigin + now() is on the same
 * clock on one machine), 0 until the step is seen.
 *
 * @param ptsNanos       the loud sample's position in the stream
 * @param capturedMicros when the capture's buffer holding it reached the encoder's queue
 * @param encodedMicros  when the Opus frame holding it left the encoder
 * @param packedMicros   when each call's payloader passed that frame on to webrtcbin, in the order they did
 */
public record TracedOnset(long ptsNanos, long capturedMicros, long encodedMicros, List<Long> packedMicros) {
}
