package org.rtcsound.ice;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * webrtcbin's leg to a TURN server over TLS ({@code 'protocol': 'turns'}). libnice 0.1.21
 * (Debian 12) has no TLS client: given {@code turns://} it sends TURN in clear to the TLS
 * port. So webrtcbin is given {@code turn://...@127.0.0.1:<port>?transport=tcp} instead, and
 * this tunnel carries each of its TCP connections to the TURN server inside TLS (JSSE),
 * checking the server's certificate for the host the URL names: the JVM's trust store, or
 * the CA certificates of {@code rtcsound.turn.ca-file}. Two threads per connection (one each
 * way), gone with it; one listener on loopback for as long as the TURN server stays the same.
 */
@ApplicationScoped
public class TurnTlsTunnel {

    private static final Logger LOG = Logger.getLogger(TurnTlsTunnel.class.getName());

    @Resource(lookup = "java:comp/DefaultManagedThreadFactory")
    ManagedThreadFactory threads;

    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private ServerSocket listener;
    private String target;
    private String caFile;

    /**
     * The loopback port whose connections reach {@code hostAndPort} over TLS, started on first
     * use and again when the TURN server or the CA file changes (od.config reloaded).
     */
    public synchronized int localPort(String hostAndPort, String caFile) {
        if (listener != null && hostAndPort.equals(target) && java.util.Objects.equals(caFile, this.caFile)) {
            return listener.getLocalPort();
        }
        stop();
        SSLContext tls = context(caFile);
        String host = host(hostAndPort);
        int port = port(hostAndPort);
        try {
            ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            listener = socket;
            target = hostAndPort;
            this.caFile = caFile;
            threads.newThread(() -> accept(socket, tls, host, port)).start();
            LOG.info(() -> "TURN over TLS to " + hostAndPort + ": webrtcbin's connections go through 127.0.0.1:"
                    + socket.getLocalPort());
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("cannot open the TURN TLS tunnel's port", e);
        }
    }

    private void accept(ServerSocket socket, SSLContext tls, String host, int port) {
        while (!socket.isClosed()) {
            Socket local;
            try {
                local = socket.accept();
            } catch (IOException e) {
                return; // closed
            }
            open.add(local);
            threads.newThread(() -> connect(local, tls, host, port)).start();
        }
    }

    /** One of webrtcbin's connections: TLS to the TURN server, then bytes both ways until either side closes. */
    private void connect(Socket local, SSLContext tls, String host, int port) {
        SSLSocket remote = null;
        try {
            remote = (SSLSocket) tls.getSocketFactory().createSocket(host, port);
            open.add(remote);
            SSLParameters parameters = remote.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name the host
            remote.setSSLParameters(parameters);
            remote.startHandshake();
            SSLSocket server = remote;
            threads.newThread(() -> copy(local, server)).start();
            copy(server, local);
        } catch (IOException | RuntimeException e) {
            LOG.warning(() -> "TURN over TLS to " + host + ":" + port + " failed: " + e.getMessage());
            close(local);
            close(remote);
        }
    }

    /** Copies until {@code from} ends, then closes both. */
    private void copy(Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                out.write(buffer, 0, read);
                out.flush();
            }
        } catch (IOException e) {
            LOG.log(Level.FINE, "a TURN TLS connection ended", e);
        } finally {
            close(from);
            close(to);
        }
    }

    private void close(Socket socket) {
        if (socket == null) {
            return;
        }
        open.remove(socket);
        try {
            socket.close();
        } catch (IOException e) {
            LOG.log(Level.FINE, "closing a TURN TLS connection", e);
        }
    }

    /** Connections open through the tunnel now (both ends counted), for tests. */
    public int openConnections() {
        return open.size();
    }

    @PreDestroy
    synchronized void stop() {
        if (listener != null) {
            try {
                listener.close();
            } catch (IOException e) {
                LOG.log(Level.FINE, "closing the TURN TLS tunnel", e);
            }
            listener = null;
        }
        open.forEach(this::close);
    }

    private static SSLContext context(String caFile) {
        try {
            if (caFile == null) {
                return SSLContext.getDefault();
            }
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            int n = 0;
            try (InputStream in = Files.newInputStream(Path.of(caFile))) {
                for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    trusted.setCertificateEntry("ca-" + n++, certificate);
                }
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("rtcsound.turn.ca-file '" + caFile + "' holds no usable CA certificate: "
                    + e.getMessage(), e);
        }
    }

    private static String host(String hostAndPort) {
        int colon = hostAndPort.lastIndexOf(':');
        String host = colon < 0 ? hostAndPort : hostAndPort.substring(0, colon);
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private static int port(String hostAndPort) {
        int colon = hostAndPort.lastIndexOf(':');
        return colon < 0 || hostAndPort.endsWith("]") ? 5349 : Integer.parseInt(hostAndPort.substring(colon + 1));
    }
}
