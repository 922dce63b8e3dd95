package org.rtcsound.security;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Base64;
import java.util.List;

import javax.crypto.Cipher;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.NumericDate;
import org.jose4j.jwt.consumer.ErrorCodes;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.jwx.JsonWebStructure;
import org.jose4j.lang.JoseException;
import org.rtcsound.call.Caller;
import org.rtcsound.call.Refusal.TokenRefused;

/**
 * Checks a signed token (JWT) with jose4j and says whom it speaks for.
 *
 * <ul>
 * <li>Only RS256, with a trusted public key ({@link TrustedKeys}); {@code none}, HS256
 * and every other algorithm are refused before any key is tried.</li>
 * <li>{@code exp} is required; {@code exp}, {@code nbf}, and abcdesktop's own spelling
 * {@code nfb}, are enforced with a small clock skew.</li>
 * <li>abcdesktop's desktop token: its {@code hash} (base64 of the desktop's address,
 * RSA PKCS#1 v1.5-encrypted with the payload public key) names the desktop.</li>
 * <li>rtcsound's own token: {@code sub} names the user, the optional {@code desktop}
 * claim the desktop's address, and the {@code groups} claim may hold {@code admin}.</li>
 * </ul>
 */
@ApplicationScoped
public class TokenVerifier {

    public static final String DESKTOP_CLAIM = "desktop";
    public static final String GROUPS_CLAIM = "groups";
    public static final String ADMIN_GROUP = "admin";
    /** abcdesktop's not-before claim. */
    static final String ABCDESKTOP_NOT_BEFORE = "nfb";
    static final String ABCDESKTOP_HASH = "hash";

    @Inject
    TrustedKeys keys;

    @Inject
    SecuritySettings settings;

    public Caller verify(String token) {
        if (token == null || token.isBlank()) {
            throw new TokenRefused("no token");
        }
        String algorithm = algorithm(token);
        if (!AlgorithmIdentifiers.RSA_USING_SHA256.equals(algorithm)) {
            throw new TokenRefused("token algorithm must be RS256, not " + algorithm);
        }
        List<PublicKey> trusted = keys.signingKeys();
        if (trusted.isEmpty()) {
            throw new TokenRefused("no signing key is configured on this server");
        }
        JwtClaims claims = null;
        for (PublicKey key : trusted) {
            claims = claims(token, key);
            if (claims != null) {
                break;
            }
        }
        if (claims == null) {
            throw new TokenRefused("token signature does not verify");
        }
        return caller(claims);
    }

    private static String algorithm(String token) {
        try {
            String algorithm = JsonWebStructure.fromCompactSerialization(token).getAlgorithmHeaderValue();
            return algorithm == null ? "(none given)" : algorithm;
        } catch (JoseException | RuntimeException e) {
            throw new TokenRefused("malformed token");
        }
    }

    /** The verified claims, or null when this key's signature does not match. */
    private JwtClaims claims(String token, PublicKey key) {
        int skew = settings.clockSkewSeconds();
        try {
            JwtClaims claims = new JwtConsumerBuilder()
                    .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT,
                            AlgorithmIdentifiers.RSA_USING_SHA256)
                    .setVerificationKey(key)
                    .setRequireExpirationTime()
                    .setAllowedClockSkewInSeconds(skew)
                    .setSkipDefaultAudienceValidation()
                    .build()
                    .processToClaims(token);
            checkAbcdesktopNotBefore(claims, skew);
            return claims;
        } catch (InvalidJwtException e) {
            if (e.hasErrorCode(ErrorCodes.SIGNATURE_INVALID)) {
                return null;
            }
            if (e.hasExpired()) {
                throw new TokenRefused("token expired");
            }
            if (e.hasErrorCode(ErrorCodes.NOT_YET_VALID)) {
                throw new TokenRefused("token not yet valid");
            }
            if (e.hasErrorCode(ErrorCodes.EXPIRATION_MISSING)) {
                throw new TokenRefused("token has no expiry (exp)");
            }
            // jose4j's own message quotes the claims: say only what kind of fault it was
            throw new TokenRefused("invalid token");
        }
    }

    private static void checkAbcdesktopNotBefore(JwtClaims claims, int skew) {
        Object nfb = claims.getClaimValue(ABCDESKTOP_NOT_BEFORE);
        if (nfb == null) {
            return;
        }
        if (!(nfb instanceof Number seconds)) {
            throw new TokenRefused("token claim nfb must be a number");
        }
        if (seconds.longValue() > NumericDate.now().getValue() + skew) {
            throw new TokenRefused("token not yet valid");
        }
    }

    private Caller caller(JwtClaims claims) {
        try {
            boolean admin = claims.hasClaim(GROUPS_CLAIM)
                    && claims.getStringListClaimValue(GROUPS_CLAIM).contains(ADMIN_GROUP);
            String hash = claims.getStringClaimValue(ABCDESKTOP_HASH);
            String desktop = hash != null ? openHash(hash) : claims.getStringClaimValue(DESKTOP_CLAIM);
            String user = claims.getSubject();
            if (user == null && desktop == null) {
                throw new TokenRefused("token names neither a user (sub) nor a desktop");
            }
            return new Caller(user, desktop == null || desktop.isBlank() ? null : desktop, admin);
        } catch (MalformedClaimException e) {
            throw new TokenRefused("token claims have the wrong type");
        }
    }

    /** abcdesktop's {@code hash}: the desktop's address, encrypted for whoever routes to desktops. */
    private String openHash(String hash) {
        PrivateKey key = keys.payloadKey().orElseThrow(() -> new TokenRefused(
                "token names its desktop in 'hash' but no payload private key is configured ("
                        + SecuritySettings.PAYLOAD_PRIVATE_KEY_FILE + ")"));
        try {
            byte[] sealed = decodeBase64(hash);
            Cipher rsa = Cipher.getInstance("RSA/ECB/PKCS1Padding");
            rsa.init(Cipher.DECRYPT_MODE, key);
            String address = new String(rsa.doFinal(sealed), StandardCharsets.UTF_8).trim();
            if (address.isEmpty()) {
                throw new TokenRefused("token names no desktop");
            }
            return address;
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new TokenRefused("token 'hash' does not open with the payload private key");
        }
    }

    private static byte[] decodeBase64(String text) {
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            return Base64.getUrlDecoder().decode(text);
        }
    }
}
