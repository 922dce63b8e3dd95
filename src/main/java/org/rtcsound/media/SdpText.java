package org.rtcsound.media;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

import org.freedesktop.gstreamer.glib.Natives;
import org.freedesktop.gstreamer.webrtc.WebRTCSessionDescription;

/**
 * Reads a session description's SDP text straight from GStreamer. gst1-java-core's own
 * {@code getSDPMessage().toString()} hands the SDP message to its reaper thread, which
 * later frees memory it does not own and corrupts the native heap after a few hundred
 * sessions; this path never wraps the message.
 */
final class SdpText {

    private interface GstSdp extends Library {
        GstSdp LIB = Native.load("libgstsdp-1.0.so.0", GstSdp.class);

        Pointer gst_sdp_message_as_text(Pointer message);
    }

    private interface GLib extends Library {
        GLib LIB = Native.load("libglib-2.0.so.0", GLib.class);

        void g_free(Pointer memory);
    }

    private SdpText() {
    }

    /** struct GstWebRTCSessionDescription { GstWebRTCSDPType type; GstSDPMessage *sdp; } */
    static String of(WebRTCSessionDescription description) {
        Pointer struct = Natives.getRawPointer(description);
        Pointer message = struct.getPointer(Native.POINTER_SIZE);
        Pointer text = GstSdp.LIB.gst_sdp_message_as_text(message);
        try {
            return text.getString(0, "UTF-8");
        } finally {
            GLib.LIB.g_free(text);
            java.lang.ref.Reference.reachabilityFence(description); // its raw pointer was read above
        }
    }
}
