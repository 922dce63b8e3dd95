package org.rtcsound.media;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;

import org.freedesktop.gstreamer.glib.NativeObject;
import org.freedesktop.gstreamer.glib.Natives;

/**
 * GObject calls that gst1-java-core has no Java class for, such as properties of a
 * webrtcbin transceiver (a type it cannot instantiate).
 */
final class GObjectCalls {

    private interface GObjectLibrary extends Library {
        GObjectLibrary LIB = Native.load("libgobject-2.0.so.0", GObjectLibrary.class);

        void g_object_get(Pointer object, String property, Object... valueThenNull);

        void g_object_set(Pointer object, String property, Object... valueThenNull);

        void g_object_unref(Pointer object);
    }

    private GObjectCalls() {
    }

    /** Sets a boxed or object property (caps, for example) on an object-valued property of {@code owner}. */
    static void setOnObjectProperty(NativeObject owner, String objectProperty, String property, NativeObject value) {
        try {
            setOnObjectProperty(owner, objectProperty, property, Natives.getRawPointer(value));
        } finally {
            // Only its raw pointer travels: without the fence the wrapper may be collected, and the
            // native value freed by gst1-java-core's cleaner, before g_object_set has taken its own
            // reference (seen once in StressIT: codec-preferences caps freed, "GST_IS_CAPS (caps2)"
            // criticals, then free(): invalid pointer and the server gone).
            java.lang.ref.Reference.reachabilityFence(value); // the owner is fenced below
        }
    }

    /** Sets a boolean property on an object-valued property of {@code owner}. */
    static void setOnObjectProperty(NativeObject owner, String objectProperty, String property, boolean value) {
        setOnObjectProperty(owner, objectProperty, property, Integer.valueOf(value ? 1 : 0));
    }

    /** Sets a whole-number property on an object-valued property of {@code owner}. */
    static void setOnObjectProperty(NativeObject owner, String objectProperty, String property, int value) {
        setOnObjectProperty(owner, objectProperty, property, Integer.valueOf(value));
    }

    private static void setOnObjectProperty(NativeObject owner, String objectProperty, String property, Object value) {
        Pointer object = objectProperty(owner, objectProperty);
        try {
            GObjectLibrary.LIB.g_object_set(object, property, value, null);
        } finally {
            GObjectLibrary.LIB.g_object_unref(object);
        }
    }

    /** Reads a whole-number property of an object-valued property of {@code owner}: what it took. */
    static int intOnObjectProperty(NativeObject owner, String objectProperty, String property) {
        Pointer object = objectProperty(owner, objectProperty);
        try {
            IntByReference value = new IntByReference();
            GObjectLibrary.LIB.g_object_get(object, property, value, null);
            return value.getValue();
        } finally {
            GObjectLibrary.LIB.g_object_unref(object);
        }
    }

    /** The object {@code owner}'s property holds, with a reference of the caller's to drop. */
    private static Pointer objectProperty(NativeObject owner, String objectProperty) {
        PointerByReference target = new PointerByReference();
        GObjectLibrary.LIB.g_object_get(Natives.getRawPointer(owner), objectProperty, target, null);
        java.lang.ref.Reference.reachabilityFence(owner);
        Pointer object = target.getValue();
        if (object == null) {
            throw new IllegalStateException(objectProperty + " is not set");
        }
        return object;
    }
}
