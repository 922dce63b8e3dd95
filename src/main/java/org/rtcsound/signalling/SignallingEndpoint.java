package org.rtcsound.signalling;

import java.nio.ByteBuffer;
import java.util.logging.Level;
import java.util.logging.Logger;

import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.websocket.CloseReason;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;

import org.rtcsound.config.SoundSettings;

/**
 * The WebSocket adapter at {@code /signalling}: one instance per connection, handing
 * frames to a {@link SignallingSession}. {@code @Dependent} so that CDI injects it.
 */
@Dependent
@ServerEndpoint("/signalling")
public class SignallingEndpoint {

    private static final Logger LOG = Logger.getLogger(SignallingEndpoint.class.getName());

    @Inject
    SoundCalls calls;

    @Inject
    SessionRegistry registry;

    @Inject
    SoundSettings settings;

    private SignallingSession session;
    private int frameLimit;
    private final StringBuilder frame = new StringBuilder();

    @OnOpen
    public void open(Session socket) {
        frameLimit = settings.maxFrameBytes();
        // The browser is silent once the call is up; the call lasts as long as the socket.
        socket.setMaxIdleTimeout(0);
        session = new SignallingSession(socket.getId(), new WebSocketTransport(socket), calls);
        registry.add(session);
    }

    /**
     * Frames arrive in parts so that the size limit is ours to enforce, before a large
     * frame is ever held whole: past it the socket closes with 1009 (message too big).
     */
    @OnMessage
    public void text(Session socket, String part, boolean last) throws java.io.IOException {
        if (!socket.isOpen()) {
            return;
        }
        if (frame.length() + part.length() > frameLimit) {
            frame.setLength(0);
            socket.close(new CloseReason(CloseReason.CloseCodes.TOO_BIG,
                    "frame larger than " + frameLimit + " characters"));
            return;
        }
        frame.append(part);
        if (last) {
            String complete = frame.toString();
            frame.setLength(0);
            session.onText(complete);
        }
    }

    @OnMessage
    public void binary(Session socket, ByteBuffer data) throws java.io.IOException {
        socket.close(new CloseReason(CloseReason.CloseCodes.CANNOT_ACCEPT,
                "binary frames are not part of the protocol"));
    }

    @OnClose
    public void closed(CloseReason reason) {
        session.onClose().whenComplete((done, failure) -> registry.remove(session));
    }

    @OnError
    public void error(Throwable failure) {
        // Abrupt disconnects and oversize frames land here; the container closes the socket.
        LOG.log(Level.FINE, "signalling socket error", failure);
    }
}
