package org.rtcsound.security;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * Reads RSA keys from PEM files in the forms openssl and abcdesktop write: {@code PUBLIC
 * KEY}, {@code RSA PUBLIC KEY}, {@code PRIVATE KEY} and {@code RSA PRIVATE KEY}
 * (BouncyCastle's PEM parser, already on the class path with the Kubernetes client).
 */
final class PemKeys {

    private static final JcaPEMKeyConverter CONVERTER = new JcaPEMKeyConverter();

    private PemKeys() {
    }

    static PublicKey publicKey(Path file) throws IOException {
        Object object = read(file);
        if (object instanceof SubjectPublicKeyInfo info) {
            return CONVERTER.getPublicKey(info);
        }
        if (object instanceof PEMKeyPair pair) {
            return CONVERTER.getPublicKey(pair.getPublicKeyInfo());
        }
        throw new IOException(file + " holds no public key");
    }

    static PrivateKey privateKey(Path file) throws IOException {
        Object object = read(file);
        if (object instanceof PrivateKeyInfo info) {
            return CONVERTER.getPrivateKey(info);
        }
        if (object instanceof PEMKeyPair pair) {
            return CONVERTER.getPrivateKey(pair.getPrivateKeyInfo());
        }
        throw new IOException(file + " holds no unencrypted private key");
    }

    private static Object read(Path file) throws IOException {
        try (Reader reader = Files.newBufferedReader(file); PEMParser parser = new PEMParser(reader)) {
            Object object = parser.readObject();
            if (object == null) {
                throw new IOException(file + " holds no PEM object");
            }
            return object;
        }
    }
}
