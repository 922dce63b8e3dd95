package org.rtcsound.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import javax.crypto.Cipher;

import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.lang.JoseException;

/**
 * The test suite's token issuer, standing where abcdesktop's control plane stands: a
 * signing key pair and a payload key pair made once per test JVM, their public and
 * private halves written as PEM where every test server is told to read them.
 */
public final class TestTokens {

    public static final KeyPair SIGNING = generate();
    public static final KeyPair PAYLOAD = generate();
    /** A key pair no server trusts. */
    public static final KeyPair STRANGER = generate();

    private static final Path DIRECTORY = Path.of("target/it-keys").toAbsolutePath();

    private TestTokens() {
    }

    /** The environment that makes a Liberty server trust these keys. */
    public static Map<String, String> serverEnvironment() {
        return Map.of("RTCSOUND_JWT_PUBLIC_KEY_FILE", signingPublicKeyFile().toString(),
                "RTCSOUND_JWT_PAYLOAD_PRIVATE_KEY_FILE", write("payload-private.pem", PAYLOAD.getPrivate()).toString());
    }

    public static Path signingPublicKeyFile() {
        return write("signing-public.pem", SIGNING.getPublic());
    }

    /** rtcsound's own token for {@code user}, valid for five minutes. */
    public static String user(String user) {
        return sign(claims -> claims.setSubject(user));
    }

    /** A token with the admin group. */
    public static String admin() {
        return sign(claims -> {
            claims.setSubject("test-admin");
            claims.setStringListClaim("groups", List.of("admin"));
        });
    }

    /** abcdesktop's desktop token: {@code hash} is the desktop's address, encrypted with the payload public key. */
    public static String abcdesktop(String desktopAddress) {
        long now = NumericDate.now().getValue();
        return sign(SIGNING, AlgorithmIdentifiers.RSA_USING_SHA256, claims -> {
            claims.setClaim("key", 0);
            claims.setClaim("nfb", now);
            claims.setClaim("hash", encrypt(desktopAddress));
        });
    }

    /** A token signed with the suite's key, five minutes long, then edited. */
    public static String sign(Consumer<JwtClaims> edit) {
        return sign(SIGNING, AlgorithmIdentifiers.RSA_USING_SHA256, edit);
    }

    public static String sign(KeyPair keys, String algorithm, Consumer<JwtClaims> edit) {
        return sign(keys.getPrivate(), algorithm, edit);
    }

    public static String sign(Key key, String algorithm, Consumer<JwtClaims> edit) {
        JwtClaims claims = new JwtClaims();
        claims.setExpirationTimeMinutesInTheFuture(5);
        claims.setIssuedAtToNow();
        edit.accept(claims);
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setAlgorithmHeaderValue(algorithm);
        jws.setKey(key);
        jws.setDoKeyValidation(false);
        try {
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A token with {@code "alg":"none"} and no signature. */
    public static String unsigned(String subject) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        long exp = NumericDate.now().getValue() + 300;
        return b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(("{\"sub\":\"" + subject + "\",\"exp\":" + exp + "}")
                        .getBytes(StandardCharsets.UTF_8)) + ".";
    }

    public static String encrypt(String desktopAddress) {
        try {
            Cipher rsa = Cipher.getInstance("RSA/ECB/PKCS1Padding");
            rsa.init(Cipher.ENCRYPT_MODE, PAYLOAD.getPublic());
            return Base64.getEncoder().encodeToString(rsa.doFinal(desktopAddress.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes a key as PEM (PUBLIC KEY / PRIVATE KEY), the way openssl does. */
    public static Path write(String name, Key key) {
        Path file = DIRECTORY.resolve(name);
        try {
            Files.createDirectories(DIRECTORY);
            StringWriter text = new StringWriter();
            try (JcaPEMWriter pem = new JcaPEMWriter(text)) {
                pem.writeObject(key);
            }
            if (!Files.exists(file) || !Files.readString(file).equals(text.toString())) {
                Files.writeString(file, text.toString());
            }
            return file;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
