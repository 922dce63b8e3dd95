package org.rtcsound.call;

import java.util.Locale;

/** The ways a call recovers, or is cleaned up, without anyone reloading a page. */
public enum Heal {
    /** ICE failed or stayed disconnected: the page was told to call again at once ({@link CloseCode#CONNECTION_LOST}). */
    CONNECTION_LOST,
    /** No RTCP and no answer to a ping: the browser is gone, and its call was freed ({@link CloseCode#BROWSER_SILENT}). */
    BROWSER_GONE,
    /** The desktop's capture stopped producing audio: its stream was rebuilt for its listeners. */
    STREAM_STALLED,
    /** The page heard no audio packet for seconds on a connected call, and called again (it says so: {@code HEALED stalled}). */
    PAGE_STALLED,
    /** The page's call had not connected soon after its answer, and the page built it again ({@code HEALED not-connected}). */
    PAGE_NOT_CONNECTED,
    /** A call whose ICE did not connect moved to the WebSocket path ({@code MEDIA websocket} after HELLO). */
    WEBSOCKET_FALLBACK;

    /** The label of this kind in metrics: {@code connection_lost}, ... */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
