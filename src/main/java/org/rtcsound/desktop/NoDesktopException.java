package org.rtcsound.desktop;

/** The user has no running desktop to reach (yet): the page retries on its own. */
public class NoDesktopException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NoDesktopException(String message) {
        super(message);
    }
}
