package org.rtcsound.media;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;

/**
 * How many GStreamer objects (elements, pads, buses, clocks, webrtcbin's transports...) are
 * alive, counted by GStreamer's own leaks tracer, for soak tests and leak hunts. Only when
 * the server runs with {@code GST_TRACERS=leaks} (for example
 * {@code GST_TRACERS='leaks(filters=GstObject)'}, which leaves out buffers and events): it
 * costs a hash-table entry per object, so it is off otherwise and {@link #find()} answers null.
 *
 * <p>The count is relative: objects created since tracking started (at GStreamer's start-up)
 * minus objects destroyed since then. It is read from the tracer's activity checkpoints
 * ({@code activity-start-tracking}, {@code activity-get-checkpoint}), which only name objects
 * by type and address. The tracer's {@code get-live-objects} would give an absolute count,
 * but it takes over a reference to every live object, so it is only safe once every pipeline
 * is gone, never in a running server.
 */
public final class LiveObjects {

    private interface GStreamer extends Library {
        GStreamer LIB = Native.load("libgstreamer-1.0.so.0", GStreamer.class);

        /** (transfer full): a GList of the active tracers, each reffed. */
        Pointer gst_tracing_get_active_tracers();

        void gst_object_unref(Pointer object);

        Pointer gst_structure_get_value(Pointer structure, String field);

        String gst_structure_get_string(Pointer structure, String field);

        void gst_structure_free(Pointer structure);

        int gst_value_list_get_size(Pointer list);

        Pointer gst_value_list_get_value(Pointer list, int index);

        Pointer gst_value_get_structure(Pointer value);
    }

    private interface GObject extends Library {
        GObject LIB = Native.load("libgobject-2.0.so.0", GObject.class);

        String g_type_name_from_instance(Pointer instance);

        void g_signal_emit_by_name(Pointer instance, String signal, Object... argumentsThenReturn);
    }

    private interface GLib extends Library {
        GLib LIB = Native.load("libglib-2.0.so.0", GLib.class);

        void g_list_free(Pointer list);
    }

    /** The leaks tracer, reffed for as long as the process lives (tracers are never freed before deinit). */
    private final Pointer tracer;
    /** Net objects per type name since tracking started (created minus destroyed). */
    private final Map<String, Long> byType = new HashMap<>();
    private long alive;

    private LiveObjects(Pointer tracer) {
        this.tracer = tracer;
        GObject.LIB.g_signal_emit_by_name(tracer, "activity-start-tracking");
    }

    /** Starts counting if GStreamer runs the leaks tracer; null if it does not. Call after Gst.init. */
    static LiveObjects find() {
        Pointer list = GStreamer.LIB.gst_tracing_get_active_tracers();
        Pointer leaks = null;
        for (Pointer node = list; node != null; node = node.getPointer(Native.POINTER_SIZE)) {
            Pointer tracer = node.getPointer(0);
            if (leaks == null && "GstLeaksTracer".equals(GObject.LIB.g_type_name_from_instance(tracer))) {
                leaks = tracer; // keeps the list's reference
            } else {
                GStreamer.LIB.gst_object_unref(tracer);
            }
        }
        if (list != null) {
            GLib.LIB.g_list_free(list);
        }
        return leaks == null ? null : new LiveObjects(leaks);
    }

    /**
     * Objects alive now beyond those alive when tracking started. Each call drains the
     * tracer's checkpoint, which would otherwise grow with every object created.
     */
    public synchronized long count() {
        PointerByReference result = new PointerByReference();
        GObject.LIB.g_signal_emit_by_name(tracer, "activity-get-checkpoint", result);
        Pointer checkpoint = result.getValue();
        if (checkpoint == null) {
            throw new IllegalStateException("the leaks tracer gave no checkpoint");
        }
        try {
            add(checkpoint, "objects-created-list", 1);
            add(checkpoint, "objects-removed-list", -1);
        } finally {
            GStreamer.LIB.gst_structure_free(checkpoint);
        }
        return alive;
    }

    /** The types whose count differs from when tracking started, by name (read after {@link #count()}). */
    public synchronized Map<String, Long> byType() {
        Map<String, Long> changed = new TreeMap<>();
        byType.forEach((type, n) -> {
            if (n != 0) {
                changed.put(type, n);
            }
        });
        return changed;
    }

    private void add(Pointer checkpoint, String field, int sign) {
        Pointer list = GStreamer.LIB.gst_structure_get_value(checkpoint, field);
        int size = list == null ? 0 : GStreamer.LIB.gst_value_list_get_size(list);
        for (int i = 0; i < size; i++) {
            Pointer entry = GStreamer.LIB.gst_value_get_structure(GStreamer.LIB.gst_value_list_get_value(list, i));
            String type = GStreamer.LIB.gst_structure_get_string(entry, "type-name");
            byType.merge(type == null ? "?" : type, (long) sign, Long::sum);
        }
        alive += (long) sign * size;
    }
}
