package org.rtcsound.signalling;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.logging.Level;
import java.util.logging.Logger;

import jakarta.websocket.CloseReason;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;

/**
 * Sends on a WebSocket from any thread (WebSocket, executor or GStreamer threads) without
 * ever blocking the caller: frames queue up and go out one at a time through the async
 * remote. A blocking send from a GStreamer thread while the socket's reader waits for
 * that sender deadlocks Liberty's WebSocket; queueing cannot. A close waits for the frames
 * queued before it, so an ERROR always arrives before the close.
 */
final class WebSocketTransport implements SignallingSession.Transport {

    private static final Logger LOG = Logger.getLogger(WebSocketTransport.class.getName());

    private final Session socket;
    private final Runnable closing;
    private final Queue<Object> outgoing = new ArrayDeque<>();
    private boolean sending;

    /**
     * @param closing runs when rtcsound closes the socket: the session ends then, not when
     *        Liberty reports the close, which it never does for a client that keeps sending
     *        after our close frame
     */
    WebSocketTransport(Session socket, Runnable closing) {
        this.socket = socket;
        this.closing = closing;
    }

    @Override
    public void send(String text) {
        enqueue(text);
    }

    @Override
    public void authenticated() {
        // The browser is silent once the call is up; the call lasts as long as the socket.
        socket.setMaxIdleTimeout(0);
    }

    @Override
    public void close(int code, String reason) {
        enqueue(new CloseReason(CloseReason.CloseCodes.getCloseCode(code), reason));
        closing.run();
    }

    private void enqueue(Object item) {
        synchronized (this) {
            outgoing.add(item);
            if (sending) {
                return;
            }
            sending = true;
        }
        sendNext();
    }

    private void sendNext() {
        Object next;
        synchronized (this) {
            next = outgoing.poll();
            if (next == null || !socket.isOpen()) {
                outgoing.clear();
                sending = false;
                return;
            }
        }
        try {
            if (next instanceof CloseReason reason) {
                // A call's socket has no idle timeout: bound the close handshake, or a peer
                // that never answers our close frame would keep the connection forever.
                socket.setMaxIdleTimeout(CLOSE_HANDSHAKE_MILLIS);
                socket.close(reason);
                sendNext();
            } else {
                socket.getAsyncRemote().sendText((String) next, this::sent);
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "send on a closing socket", e);
            synchronized (this) {
                outgoing.clear();
                sending = false;
            }
        }
    }

    /** How long a peer gets to answer our close before the connection is dropped. */
    private static final long CLOSE_HANDSHAKE_MILLIS = 5000;

    private void sent(SendResult result) {
        if (!result.isOK()) {
            LOG.log(Level.FINE, "send failed", result.getException());
        }
        sendNext();
    }
}
