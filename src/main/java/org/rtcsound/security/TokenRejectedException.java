package org.rtcsound.security;

/** A token that does not authenticate anyone; the message says why, and never holds the token. */
public class TokenRejectedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public TokenRejectedException(String reason) {
        super(reason);
    }
}
