package org.rtcsound.call;

/**
 * The WebSocket close codes (RFC 6455) the call ends with; the README's protocol table
 * promises exactly these, so they live in one place.
 */
public final class CloseCode {

    /** 1008, policy violation: a caller who may not call (no token, a bad one, another user's uid). */
    public static final int REFUSED = 1008;
    /** 1011, unexpected condition: the media side failed, no desktop runs, a setting is unusable. */
    public static final int MEDIA_FAILED = 1011;
    /** 1013, try again later: a session limit is reached. */
    public static final int TRY_AGAIN_LATER = 1013;

    /** 1012, service restart: this server is stopping; the page calls again at once, on whichever replica answers. */
    public static final int SERVICE_RESTART = 1012;
    /**
     * 4001, the media connection was lost (ICE failed or stayed disconnected): the page calls
     * again at once; the new call gets a new webrtcbin on the same desktop stream, and fresh
     * TURN credentials.
     */
    public static final int CONNECTION_LOST = 4001;
    /**
     * 4002, the browser has gone silent: no RTCP for seconds and no answer to a ping; its call
     * is freed. A browser that was only cut off reads this when it is back, and calls again.
     */
    public static final int BROWSER_SILENT = 4002;
    /**
     * 4003, the browser reads too slowly: on the WebSocket path, frames piled up unread for
     * two seconds. The page calls again after its usual back-off.
     */
    public static final int TOO_SLOW = 4003;
    /** 4000, an operator ended the call: the page says so and does not call again by itself. */
    public static final int ENDED_BY_OPERATOR = 4000;

    private CloseCode() {
    }
}
