package org.rtcsound.testing;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/** The self-signed certificate a test Liberty server generated on its first start, as a client trusts it. */
final class LibertyCertificate {

    private LibertyCertificate() {
    }

    /** The certificate itself, read from the server's keystore. */
    static X509Certificate of(Path serverDirectory) {
        try {
            String password = Files.readAllLines(serverDirectory.resolve("server.env")).stream()
                    .filter(line -> line.startsWith("keystore_password=")).map(line -> line.substring(18))
                    .findFirst().orElseThrow(() -> new IllegalStateException("no keystore_password in server.env"));
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (var in = Files.newInputStream(serverDirectory.resolve("resources/security/key.p12"))) {
                keys.load(in, password.toCharArray());
            }
            return (X509Certificate) keys.getCertificate("default");
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the certificate of " + serverDirectory + ": " + e, e);
        }
    }

    /**
     * TLS that trusts exactly the certificate Liberty generated for this server (its keystore,
     * whose password liberty-maven-plugin wrote in server.env): pinned, so no name check is
     * needed for a server reached by an IP address.
     */
    static SSLContext trustedAlone(Path serverDirectory) {
        try {
            Certificate own = of(serverDirectory);
            X509ExtendedTrustManager pinned = new X509ExtendedTrustManager() {
                private void check(X509Certificate[] chain) throws CertificateException {
                    if (chain.length == 0 || !chain[0].equals(own)) {
                        throw new CertificateException("not the certificate of " + serverDirectory.getFileName());
                    }
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String type) throws CertificateException {
                    check(chain);
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String type, Socket socket)
                        throws CertificateException {
                    check(chain);
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String type, SSLEngine engine)
                        throws CertificateException {
                    check(chain);
                }

                @Override
                public void checkClientTrusted(X509Certificate[] chain, String type) throws CertificateException {
                    throw new CertificateException("a client only");
                }

                @Override
                public void checkClientTrusted(X509Certificate[] chain, String type, Socket socket)
                        throws CertificateException {
                    throw new CertificateException("a client only");
                }

                @Override
                public void checkClientTrusted(X509Certificate[] chain, String type, SSLEngine engine)
                        throws CertificateException {
                    throw new CertificateException("a client only");
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            };
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, new TrustManager[] {pinned}, null);
            return tls;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make TLS that trusts the certificate of " + serverDirectory + ": " + e, e);
        }
    }
}
