package org.rtcsound.media;

import java.util.HashMap;
import java.util.Map;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.DoubleByReference;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;

import org.freedesktop.gstreamer.Structure;
import org.freedesktop.gstreamer.glib.Natives;

/**
 * The figures rtcsound reads from webrtcbin's {@code get-stats} reply: a structure whose
 * fields are structures, one per statistics object, keyed by id. gst1-java-core does not
 * convert structure-valued fields, so they are read with GStreamer's own accessors.
 *
 * <p>GStreamer 1.22.0 leaves the {@code jitter} of remote-inbound-rtp empty; the browser's
 * jitter is read from the receiver report itself ({@code gst-rtpsource-stats}, {@code rb-jitter},
 * in RTP clock units). It also swaps the ids of the pair's local and remote candidates, so
 * the path is "relay" when either candidate of the selected pair is a relay one.
 *
 * @param bytesSent outbound-rtp bytes-sent
 * @param packetsSent outbound-rtp packets-sent
 * @param roundTripSeconds remote-inbound-rtp round-trip-time, null before the first receiver report
 * @param fractionLost remote-inbound-rtp fraction-lost
 * @param packetsLost remote-inbound-rtp packets-lost
 * @param jitterSeconds the last receiver report's jitter
 * @param receiverReport what identifies the last receiver report (highest sequence number, LSR,
 *        DLSR): it changes with every report that arrives; null before the first
 * @param path "relay" or "direct" for the selected candidate pair, null before there is one
 */
record WebRtcStats(long bytesSent, long packetsSent, Double roundTripSeconds, Double fractionLost, Long packetsLost,
        Double jitterSeconds, String receiverReport, String path) {

    private static final double OPUS_CLOCK_RATE = 48000;

    private interface GstStructures extends Library {
        GstStructures LIB = Native.load("gstreamer-1.0", GstStructures.class);

        NativeLong gst_structure_get_type();

        int gst_structure_n_fields(Pointer structure);

        String gst_structure_nth_field_name(Pointer structure, int index);

        String gst_structure_get_name(Pointer structure);

        Pointer gst_structure_get_value(Pointer structure, String field);

        Pointer gst_value_get_structure(Pointer value);

        int gst_structure_get_double(Pointer structure, String field, DoubleByReference value);

        int gst_structure_get_uint64(Pointer structure, String field, LongByReference value);

        int gst_structure_get_int64(Pointer structure, String field, LongByReference value);

        int gst_structure_get_uint(Pointer structure, String field, IntByReference value);

        String gst_structure_get_string(Pointer structure, String field);
    }

    /** Reads a reply; valid only while the promise that holds it lives. */
    static WebRtcStats read(Structure reply) {
        try {
            return readRaw(Natives.getRawPointer(reply));
        } finally {
            java.lang.ref.Reference.reachabilityFence(reply); // only its raw pointer is read
        }
    }

    private static WebRtcStats readRaw(Pointer raw) {
        Map<String, Pointer> byId = new HashMap<>();
        Pointer outbound = null;
        Pointer remoteInbound = null;
        Pointer transport = null;
        for (int i = 0; i < LIB().gst_structure_n_fields(raw); i++) {
            String id = LIB().gst_structure_nth_field_name(raw, i);
            Pointer stats = structureField(raw, id);
            if (stats == null) {
                continue;
            }
            byId.put(id, stats);
            switch (LIB().gst_structure_get_name(stats)) {
                case "outbound-rtp" -> outbound = stats;
                case "remote-inbound-rtp" -> remoteInbound = stats;
                case "transport" -> transport = stats;
                default -> { }
            }
        }
        long bytes = outbound == null ? 0 : unsigned64(outbound, "bytes-sent", 0L);
        long packets = outbound == null ? 0 : unsigned64(outbound, "packets-sent", 0L);
        if (remoteInbound == null) {
            return new WebRtcStats(bytes, packets, null, null, null, null, null, path(transport, byId));
        }
        Pointer report = structureField(remoteInbound, "gst-rtpsource-stats");
        Double jitter = null;
        String reportId = null;
        if (report != null) {
            Integer rbJitter = unsigned32(report, "rb-jitter");
            jitter = rbJitter == null ? null : Integer.toUnsignedLong(rbJitter) / OPUS_CLOCK_RATE;
            reportId = unsigned32(report, "rb-exthighestseq") + "/" + unsigned32(report, "rb-lsr") + "/"
                    + unsigned32(report, "rb-dlsr");
        }
        return new WebRtcStats(bytes, packets, number(remoteInbound, "round-trip-time"),
                number(remoteInbound, "fraction-lost"), signed64(remoteInbound, "packets-lost"), jitter, reportId,
                path(transport, byId));
    }

    private static String path(Pointer transport, Map<String, Pointer> byId) {
        if (transport == null) {
            return null;
        }
        Pointer pair = byId.get(LIB().gst_structure_get_string(transport, "selected-candidate-pair-id"));
        if (pair == null) {
            return null;
        }
        boolean relay = false;
        for (String end : new String[] {"local-candidate-id", "remote-candidate-id"}) {
            Pointer candidate = byId.get(LIB().gst_structure_get_string(pair, end));
            relay |= candidate != null && "relay".equals(LIB().gst_structure_get_string(candidate, "candidate-type"));
        }
        return relay ? "relay" : "direct";
    }

    private static GstStructures LIB() {
        return GstStructures.LIB;
    }

    /** The structure a field holds, or null when it holds something else. */
    private static Pointer structureField(Pointer structure, String field) {
        Pointer value = LIB().gst_structure_get_value(structure, field);
        if (value == null || value.getNativeLong(0).longValue() != LIB().gst_structure_get_type().longValue()) {
            return null;
        }
        return LIB().gst_value_get_structure(value);
    }

    private static Double number(Pointer structure, String field) {
        DoubleByReference value = new DoubleByReference();
        return LIB().gst_structure_get_double(structure, field, value) != 0 ? value.getValue() : null;
    }

    private static long unsigned64(Pointer structure, String field, long otherwise) {
        LongByReference value = new LongByReference();
        return LIB().gst_structure_get_uint64(structure, field, value) != 0 ? value.getValue() : otherwise;
    }

    private static Long signed64(Pointer structure, String field) {
        LongByReference value = new LongByReference();
        return LIB().gst_structure_get_int64(structure, field, value) != 0 ? value.getValue() : null;
    }

    private static Integer unsigned32(Pointer structure, String field) {
        IntByReference value = new IntByReference();
        return LIB().gst_structure_get_uint(structure, field, value) != 0 ? value.getValue() : null;
    }
}
