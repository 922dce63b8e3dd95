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
    /** 4000, an operator ended the call: the page says so and does not call again by itself. */
    public static final int ENDED_BY_OPERATOR = 4000;

    private CloseCode() {
    }
}
