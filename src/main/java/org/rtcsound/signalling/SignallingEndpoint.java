package org.rtcsound.signalling;

import java.nio.ByteBuffer;
import java.util.List;
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
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpoint;
import jakarta.websocket.server.ServerEndpointConfig;

import org.rtcsound.config.SoundSettings;
import org.rtcsound.security.Bearer;

/**
 * The WebSocket adapter at {@code /signalling}: one instance per connection, handing
 * frames to a {@link SignallingSession}. {@code @Dependent} so that CDI injects it.
 * The token may come as the subprotocol {@code bearer.<token>} next to {@code rtcsound}
 * (the server answers {@code rtcsound}, never echoing the token), as abcdesktop's
 * {@code ?jwt_token=}, or as the first message.
 */
@Dependent
@ServerEndpoint(value = "/signalling", subprotocols = Bearer.SUBPROTOCOL,
        configurator = SignallingEndpoint.Handshake.class)
public class SignallingEndpoint {

    private static final Logger LOG = Logger.getLogger(SignallingEndpoint.class.getName());

    /** Session property holding the token found in the handshake's subprotocols. */
    private static final String HANDSHAKE_TOKEN = "rtcsound.handshake-token";
    /** How long a connection may stay silent before it has proved who it is. */
    private static final long SIGN_IN_IDLE_MILLIS = 15_000;

    /**
     * Reads the token from {@code Sec-WebSocket-Protocol}: only the handshake sees headers.
     * WebSocket 2.1 gives each connection its own copy of these user properties.
     */
    public static class Handshake extends ServerEndpointConfig.Configurator {
        @Override
        public void modifyHandshake(ServerEndpointConfig config, HandshakeRequest request,
                HandshakeResponse response) {
            String token = Bearer.fromSubprotocols(request.getHeaders().get(HandshakeRequest.SEC_WEBSOCKET_PROTOCOL));
            if (token != null) {
                config.getUserProperties().put(HANDSHAKE_TOKEN, token);
            }
        }
    }

    @Inject
    SoundCalls calls;

    @Inject
    SessionRegistry registry;

    @Inject
    SoundSettings settings;

    private SignallingSession session;
    private int frameLimit;
    private final StringBuilder frame = new StringBuilder();
    /** The frame being read is past the limit: its remaining parts are dropped. */
    private boolean oversize;

    @OnOpen
    public void open(Session socket) {
        frameLimit = settings.maxFrameBytes();
        socket.setMaxIdleTimeout(SIGN_IN_IDLE_MILLIS);
        session = new SignallingSession(socket.getId(), new WebSocketTransport(socket, this::end), calls);
        registry.add(session);
        session.onOpen(handshakeToken(socket));
    }

    private static String handshakeToken(Session socket) {
        Object header = socket.getUserProperties().remove(HANDSHAKE_TOKEN);
        if (header != null) {
            return header.toString();
        }
        List<String> query = socket.getRequestParameterMap().get("jwt_token");
        return query == null || query.isEmpty() ? null : query.get(0);
    }

    /**
     * Frames arrive in parts so that the size limit is ours to enforce, before a large
     * frame is ever held whole: past it the rest of the frame is read and dropped, then the
     * socket closes with 1009 (message too big). Closing in the middle of a frame left
     * Liberty's connection in CLOSE-WAIT with unread data, forever (measured: one socket
     * per oversize frame).
     */
    @OnMessage
    public void text(Session socket, String part, boolean last) throws java.io.IOException {
        if (!socket.isOpen()) {
            return;
        }
        if (oversize || frame.length() + part.length() > frameLimit) {
            oversize = true;
            frame.setLength(0);
            if (last) {
                WebSocketTransport.closeWithin(socket, new CloseReason(CloseReason.CloseCodes.TOO_BIG,
                        "frame larger than " + frameLimit + " characters"));
                end();
            }
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
        WebSocketTransport.closeWithin(socket, new CloseReason(CloseReason.CloseCodes.CANNOT_ACCEPT,
                "binary frames are not part of the protocol"));
        end();
    }

    @OnClose
    public void closed(CloseReason reason) {
        end();
    }

    /** The call ends: media released, session forgotten. Safe to call more than once. */
    private void end() {
        SignallingSession ending = session;
        ending.onClose().whenComplete((done, failure) -> registry.remove(ending));
    }

    @OnError
    public void error(Throwable failure) {
        // Abrupt disconnects and oversize frames land here; the container closes the socket.
        LOG.log(Level.FINE, "signalling socket error", failure);
    }
}
