package org.rtcsound.ice;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A time-limited TURN credential in the scheme coturn checks with {@code use-auth-secret}
 * (the "TURN REST API"): username {@code <expiry unix seconds>:<user id>}, password the
 * base64 of HMAC-SHA1(static-auth-secret, username). coturn accepts it while the expiry is
 * in the future. The secret itself never leaves the server.
 */
public record TurnCredential(String username, String credential, Instant expiry) {

    public static TurnCredential issue(String secret, String userId, Instant expiry) {
        String username = expiry.getEpochSecond() + (userId == null || userId.isEmpty() ? "" : ":" + userId);
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            byte[] digest = mac.doFinal(username.getBytes(StandardCharsets.UTF_8));
            return new TurnCredential(username, Base64.getEncoder().encodeToString(digest), expiry);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA1 is missing from this JVM", e);
        }
    }

    /**
     * webrtcbin's turn-server form, {@code turn(s)://user:password@host:port}: the ':' of the
     * username and the '+', '/' and '=' of the credential are percent-escaped, or the URI
     * is cut in the wrong places and coturn answers 401.
     */
    public String webrtcbinUri(String protocol, String hostAndPort) {
        return protocol + "://" + escape(username) + ":" + escape(credential) + "@" + hostAndPort;
    }

    private static String escape(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    /** No credential in logs or messages by accident. */
    @Override
    public String toString() {
        return "TurnCredential[username=" + username + ", credential=***, expiry=" + expiry + "]";
    }
}
