package org.rtcsound.media;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
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
        setOnObjectProperty(owner, objectProperty, property, Natives.getRawPointer(value));
    }

    /** Sets a boolean property on an object-valued property of {@code owner}. */
    static void setOnObjectProperty(NativeObject owner, String objectProperty, String property, boolean value) {
        setOnObjectProperty(owner, objectProperty, property, Integer.valueOf(value ? 1 : 0));
    }

    private static void setOnObjectProperty(NativeObject owner, String objectProperty, String property, Object value) {
        PointerByReference target = new PointerByReference();
        GObjectLibrary.LIB.g_object_get(Natives.getRawPointer(owner), objectProperty, target, null);
        Pointer object = target.getValue();
        if (object == null) {
            throw new IllegalStateException(objectProperty + " is not set");
        }
        try {
            GObjectLibrary.LIB.g_object_set(object, property, value, null);
        } finally {
            GObjectLibrary.LIB.g_object_unref(object);
        }
    }
}
