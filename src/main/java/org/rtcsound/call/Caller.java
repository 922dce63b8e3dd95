package org.rtcsound.call;

/**
 * Whom a verified token speaks for.
 *
 * @param user the user id ({@code sub}); null for abcdesktop's desktop tokens, which name
 *        only the desktop
 * @param desktop the address of the desktop to reach (abcdesktop's decrypted {@code hash},
 *        or rtcsound's {@code desktop} claim); null when the user's desktop is to be found
 * @param admin whether the token carries the {@code admin} group
 */
public record Caller(String user, String desktop, boolean admin) {

    /** The name used for this caller in TURN credentials and per-user limits: the user, else the desktop. */
    public String name() {
        return user != null ? user : desktop;
    }
}
