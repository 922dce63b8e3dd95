package org.rtcsound.security;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.lang.JoseException;

/**
 * Tokens for the local demo sign-in (the embedded default): RS256 with rtcsound's own
 * in-memory key pair, a user and no group (the admin group only when asked, for the operator
 * page), for ten minutes. Only on when {@code rtcsound.security.demo-sign-in} is true, and
 * only to callers on this machine.
 */
@ApplicationScoped
public class DemoTokens {

    static final int LIFETIME_MINUTES = 10;

    @Inject
    TrustedKeys keys;

    @Inject
    SecuritySettings settings;

    public boolean enabled() {
        return settings.demoSignIn();
    }

    public String issue(String user, boolean admin) {
        JwtClaims claims = new JwtClaims();
        claims.setSubject(user);
        if (admin) {
            claims.setStringListClaim(TokenVerifier.GROUPS_CLAIM, TokenVerifier.ADMIN_GROUP);
        }
        claims.setIssuer("rtcsound demo sign-in");
        claims.setIssuedAtToNow();
        claims.setNotBeforeMinutesInThePast(0);
        claims.setExpirationTimeMinutesInTheFuture(LIFETIME_MINUTES);
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        jws.setKey(keys.demoKeyPair().getPrivate());
        try {
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException("cannot sign a demo token", e);
        }
    }
}
