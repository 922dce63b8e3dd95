package org.rtcsound.ice;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

import jakarta.enterprise.concurrent.ManagedThreadFactory;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rtcsound.testing.TestCertificateAuthority;

/**
 * webrtcbin's TLS leg to coturn, against a real TLS server on loopback (JSSE, a certificate of
 * a test CA): bytes written in clear to the tunnel's port reach the server inside TLS and its
 * answer comes back; a server whose certificate the configured CA did not sign gets no
 * connection at all; a connection closed on webrtcbin's side closes its TLS side too.
 */
@Timeout(20)
class TurnTlsTunnelTest {

    @TempDir
    Path directory;

    private final List<String> protocolsSeen = new CopyOnWriteArrayList<>();
    private SSLServerSocket server;
    private Path trustedCa;
    private Path otherCa;
    private final TurnTlsTunnel tunnel = new TurnTlsTunnel();

    @BeforeEach
    void startAnEchoingTlsServer() throws Exception {
        TestCertificateAuthority authority = TestCertificateAuthority.create("tunnel test CA");
        TestCertificateAuthority.Issued issued = authority.issueForAddress(directory, "turn", "127.0.0.1");
        trustedCa = authority.write(directory.resolve("ca.pem"));
        otherCa = TestCertificateAuthority.create("another CA").write(directory.resolve("other-ca.pem"));
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("turn", issued.privateKey(), new char[0],
                new Certificate[] {issued.certificate(), authority.certificate()});
        KeyManagerFactory managers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        managers.init(keys, new char[0]);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(managers.getKeyManagers(), null, null);
        server = (SSLServerSocket) context.getServerSocketFactory().createServerSocket(0, 5,
                InetAddress.getLoopbackAddress());
        Thread echo = new Thread(this::echo, "tls-echo");
        echo.setDaemon(true);
        echo.start();
        tunnel.threads = new ManagedThreadFactory() {
            @Override
            public Thread newThread(Runnable task) {
                Thread thread = new Thread(task, "tunnel");
                thread.setDaemon(true);
                return thread;
            }

            @Override
            public ForkJoinWorkerThread newThread(ForkJoinPool pool) {
                throw new UnsupportedOperationException();
            }
        };
    }

    private void echo() {
        while (!server.isClosed()) {
            try (SSLSocket client = (SSLSocket) server.accept()) {
                client.startHandshake();
                protocolsSeen.add(client.getSession().getProtocol());
                InputStream in = client.getInputStream();
                OutputStream out = client.getOutputStream();
                byte[] buffer = new byte[1024];
                for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                    out.write(buffer, 0, read);
                    out.flush();
                }
            } catch (IOException e) {
                // a refused handshake, or the test is over
            }
        }
    }

    @AfterEach
    void stop() throws IOException {
        tunnel.stop();
        server.close();
    }

    private String target() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    @Test
    void bytesInClearReachTheServerInsideTlsAndItsAnswerComesBack() throws Exception {
        int port = tunnel.localPort(target(), trustedCa.toString());
        try (Socket webrtcbin = new Socket(InetAddress.getLoopbackAddress(), port)) {
            byte[] allocate = "TURN Allocate request".getBytes(StandardCharsets.US_ASCII);
            webrtcbin.getOutputStream().write(allocate);
            assertArrayEquals(allocate, webrtcbin.getInputStream().readNBytes(allocate.length));
        }
        assertEquals(1, protocolsSeen.size());
        assertTrue(protocolsSeen.get(0).startsWith("TLSv1."), protocolsSeen.toString());
        assertEquals(port, tunnel.localPort(target(), trustedCa.toString()), "one listener for one TURN server");
    }

    @Test
    void aServerTheConfiguredCaDidNotSignGetsNoConnection() throws Exception {
        int port = tunnel.localPort(target(), otherCa.toString());
        try (Socket webrtcbin = new Socket(InetAddress.getLoopbackAddress(), port)) {
            webrtcbin.getOutputStream().write("TURN".getBytes(StandardCharsets.US_ASCII));
            assertEquals(-1, webrtcbin.getInputStream().read(), "the tunnel closes webrtcbin's connection");
        }
        assertTrue(protocolsSeen.isEmpty(), "no TLS session with an untrusted server: " + protocolsSeen);
    }

    @Test
    void aConnectionClosedByWebrtcbinClosesItsTlsSide() throws Exception {
        int port = tunnel.localPort(target(), trustedCa.toString());
        try (Socket webrtcbin = new Socket(InetAddress.getLoopbackAddress(), port)) {
            webrtcbin.getOutputStream().write('x');
            assertEquals('x', webrtcbin.getInputStream().read());
            assertEquals(2, tunnel.openConnections(), "webrtcbin's side and the TLS side");
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (tunnel.openConnections() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(0, tunnel.openConnections(), "both sides closed");
    }
}
