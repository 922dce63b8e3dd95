package org.rtcsound.security;

import java.util.List;

/** Where a token travels: HTTP headers and the WebSocket subprotocol list. */
public final class Bearer {

    /** The subprotocol rtcsound speaks; a client offers it next to {@code bearer.<token>}. */
    public static final String SUBPROTOCOL = "rtcsound";
    /** Prefix of the subprotocol entry that carries the token (so it need not sit in a URL). */
    public static final String SUBPROTOCOL_TOKEN_PREFIX = "bearer.";

    private Bearer() {
    }

    /** The token of an {@code Authorization: Bearer <token>} header value, or null. */
    public static String fromAuthorization(String header) {
        if (header == null) {
            return null;
        }
        String value = header.trim();
        if (value.regionMatches(true, 0, "Bearer ", 0, 7)) {
            value = value.substring(7).trim();
        }
        return value.isEmpty() ? null : value;
    }

    /** The token among {@code Sec-WebSocket-Protocol} values (each header may list several), or null. */
    public static String fromSubprotocols(List<String> headers) {
        if (headers == null) {
            return null;
        }
        for (String header : headers) {
            for (String protocol : header.split(",")) {
                String p = protocol.trim();
                if (p.startsWith(SUBPROTOCOL_TOKEN_PREFIX) && p.length() > SUBPROTOCOL_TOKEN_PREFIX.length()) {
                    return p.substring(SUBPROTOCOL_TOKEN_PREFIX.length());
                }
            }
        }
        return null;
    }
}
