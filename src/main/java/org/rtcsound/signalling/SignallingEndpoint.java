package org.rtcsound.signalling;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.websocket.CloseReason;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpoint;
import jakarta.websocket.server.ServerEndpointConfig;

import org.rtcsound.application.OpenCall;
import org.rtcsound.call.AudioFrame;
import org.rtcsound.call.InboundMessage;
import org.rtcsound.call.OutboundMessage;
import org.rtcsound.call.SignallingSession;
import org.rtcsound.config.SoundSettings;
import org.rtcsound.media.MediaService;
import org.rtcsound.security.Bearer;

/**
 * The WebSocket adapter at {@code /signalling}: one instance per connection, handing
 * frames to a {@link SignallingSession}. {@code @Dependent} so that CDI injects it.
 * The token may come as the subprotocol {@code bearer.<token>} next to {@code rtcsound}
 * (the server answers {@code rtcsound}, never echoing the token), as abcdesktop's
 * {@code ?jwt_token=}, or as the first message.
 *
 * <p>Outgoing messages go through {@link OutboundMessageEncoder}. Incoming frames have no
 * {@code Decoder}: the container decodes only whole messages, and this endpoint takes them
 * in parts so that an oversize frame is refused (1009) before it is ever held whole; the
 * one parse, {@link InboundMessage#parse}, is called where the frame is complete.
 */
@Dependent
@ServerEndpoint(value = "/signalling", subprotocols = Bearer.SUBPROTOCOL,
        configurator = SignallingEndpoint.Handshake.class, encoders = OutboundMessageEncoder.class)
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
    OpenCall calls;

    @Inject
    MediaService media;

    @Inject
    SessionRegistry registry;

    @Inject
    SoundSettings settings;

    private SignallingSession session;
    private WebSocketTransport transport;
    private int frameLimit;
    private final StringBuilder frame = new StringBuilder();
    /** A frame went past the limit: the socket is closing, and whatever follows is dropped. */
    private boolean tooBig;

    @OnOpen
    public void open(Session socket) {
        frameLimit = settings.maxFrameBytes();
        socket.setMaxIdleTimeout(SIGN_IN_IDLE_MILLIS);
        transport = new WebSocketTransport(socket, this::end);
        session = new SignallingSession(socket.getId(), transport, calls, media);
        if (!registry.add(session)) {
            // this server is stopping: the page calls again (every 0.5 s) until a server that stays answers
            session.serverStopping();
            return;
        }
        session.onOpen(handshakeToken(socket), webSocketMediaAhead(socket));
    }

    /** {@code ?media=websocket}: the page will say {@code MEDIA websocket} before its HELLO. */
    private static boolean webSocketMediaAhead(Session socket) {
        List<String> media = socket.getRequestParameterMap().get("media");
        return media != null && media.contains("websocket");
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
     * frame is ever held whole: past it the socket closes with 1009 (message too big) and
     * every later part is dropped.
     */
    @OnMessage
    public void text(String part, boolean last) {
        if (tooBig) {
            return;
        }
        if (frame.length() + part.length() > frameLimit) {
            tooBig = true;
            frame.setLength(0);
            transport.close(CloseReason.CloseCodes.TOO_BIG.getCode(), "frame larger than " + frameLimit + " characters");
            return;
        }
        frame.append(part);
        if (last) {
            String complete = frame.toString();
            frame.setLength(0);
            try {
                session.onMessage(InboundMessage.parse(complete));
            } catch (RuntimeException e) {
                // Never let a fault reach Liberty's reader: it leaves the connection behind.
                // The class only: a message could quote the frame, and frames may hold tokens.
                LOG.warning(() -> "session " + session.id() + ": message failed with " + e.getClass().getName());
                LOG.log(Level.FINE, "message failure", e);
                transport.send(new OutboundMessage.Error("internal error"));
            }
        }
    }

    /**
     * The browser's microphone on the WebSocket path ({@link AudioFrame}s); anywhere else a
     * binary frame is not part of the protocol (1003). The container refuses larger ones (1009).
     */
    @OnMessage(maxMessageSize = AudioFrame.MAX_BYTES)
    public void binary(ByteBuffer data) {
        try {
            AudioFrame frame = AudioFrame.decode(data);
            if (frame == null && session.onWebSocketPath()) {
                transport.send(new OutboundMessage.Error("a binary frame is an 8-byte timestamp and an Opus packet"));
                return;
            }
            if (frame == null || !session.onAudioFrame(frame)) {
                transport.close(CloseReason.CloseCodes.CANNOT_ACCEPT.getCode(),
                        "binary frames are only for a call on the WebSocket path (MEDIA websocket)");
            }
        } catch (RuntimeException e) {
            // as for text: never let a fault reach Liberty's reader
            LOG.warning(() -> "session " + session.id() + ": a binary frame failed with " + e.getClass().getName());
            LOG.log(Level.FINE, "binary frame failure", e);
        }
    }

    /** The browser's answer to {@link WebSocketTransport#ping()}. */
    @OnMessage
    public void pong(PongMessage pong) {
        session.onPong();
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
