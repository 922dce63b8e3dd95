package org.rtcsound.signalling;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.logging.Level;
import java.util.logging.Logger;

import jakarta.websocket.CloseReason;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;

import org.rtcsound.call.AudioFrame;
import org.rtcsound.call.CloseCode;
import org.rtcsound.call.OutboundMessage;
import org.rtcsound.call.Transport;

/**
 * Sends on a WebSocket from any thread (WebSocket, executor or GStreamer threads) without
 * ever blocking the caller: frames queue up and go out one at a time through the async
 * remote. A blocking send from a GStreamer thread while the socket's reader waits for
 * that sender deadlocks Liberty's WebSocket; queueing cannot. A close waits (briefly) for
 * the frames queued before it, so an ERROR always arrives before the close. Messages are
 * written by the endpoint's {@link OutboundMessageEncoder}; the WebSocket path's audio frames
 * share the queue (so that {@code MEDIA websocket} precedes them) as binary frames, and at
 * most {@link #MAX_QUEUED_FRAMES} of them may wait.
 */
final class WebSocketTransport implements Transport {

    private static final Logger LOG = Logger.getLogger(WebSocketTransport.class.getName());

    private final Session socket;
    private final Runnable closing;
    /** OutboundMessages and AudioFrames, in the order they were sent. */
    private final Queue<Object> outgoing = new ArrayDeque<>();
    private int queuedFrames;
    private boolean sending;

    /**
     * Two seconds of the desktop's sound (about 34 kB): a browser further behind is too slow
     * and its call is dropped. Enough to ride out a few TCP retransmissions on a lossy link.
     */
    static final int MAX_QUEUED_FRAMES = 200;
    private boolean closed;

    /** How long a close waits for the frames queued before it. */
    private static final long DRAIN_MILLIS = 2000;
    /** How long a peer gets to answer our close before the connection is dropped. */
    private static final long CLOSE_HANDSHAKE_MILLIS = 5000;

    /**
     * @param closing runs when rtcsound closes the socket: the session ends at once, not
     *        when (or if) Liberty reports the close
     */
    WebSocketTransport(Session socket, Runnable closing) {
        this.socket = socket;
        this.closing = closing;
    }

    @Override
    public void send(OutboundMessage message) {
        enqueue(message);
    }

    @Override
    public boolean sendFrame(AudioFrame frame) {
        synchronized (this) {
            if (closed || queuedFrames >= MAX_QUEUED_FRAMES) {
                return false;
            }
            queuedFrames++;
            outgoing.add(frame);
            if (sending) {
                return true;
            }
            sending = true;
        }
        sendNext();
        return true;
    }

    /**
     * A ping frame goes out at once, beside the queue: control frames may come between
     * messages. (The WebRTC path's only: on the WebSocket path the page's ECHOs are the sign
     * of life, and a ping would have to wait behind frames in flight.)
     */
    @Override
    public boolean ping() {
        synchronized (this) {
            if (closed || !socket.isOpen()) {
                return false;
            }
        }
        try {
            socket.getAsyncRemote().sendPing(ByteBuffer.wrap(PING));
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "ping on a closing socket", e);
            return false;
        }
    }

    private static final byte[] PING = {'r', 't', 'c'};

    @Override
    public void authenticated() {
        // The browser is silent once the call is up; the call lasts as long as the socket.
        socket.setMaxIdleTimeout(0);
    }

    /**
     * Closes on the calling thread once the frames queued before have gone (at most
     * {@link #DRAIN_MILLIS}). Refusals come from the socket's reading thread, and Liberty
     * 26.0.0.3 closes cleanly only from there: closed from a send callback while the client
     * was still sending, it left the connection open, one socket each (measured: 3 of 20
     * refused clients that kept sending). A browser that is gone or does not read (4002, 4003)
     * gets no drain: what is in flight to it may never complete. The session ends before
     * Liberty closes the socket, which may take its time with a peer that does not answer.
     */
    @Override
    public void close(int code, String reason) {
        boolean notReading = code == CloseCode.BROWSER_SILENT || code == CloseCode.TOO_SLOW;
        synchronized (this) {
            long deadline = System.nanoTime() + (notReading ? 0 : DRAIN_MILLIS * 1_000_000);
            while (sending && System.nanoTime() < deadline) {
                try {
                    wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (closed) {
                return;
            }
            closed = true;
            outgoing.clear();
            queuedFrames = 0;
        }
        closing.run();
        try {
            // A call's socket has no idle timeout: bound the close handshake, or a peer
            // that never answers our close frame would keep the connection forever.
            socket.setMaxIdleTimeout(CLOSE_HANDSHAKE_MILLIS);
            socket.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(code), reason));
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "close on a closing socket", e);
        }
    }

    private void enqueue(OutboundMessage item) {
        synchronized (this) {
            if (closed) {
                return;
            }
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
                idle();
                return;
            }
            if (next instanceof AudioFrame) {
                queuedFrames--;
            }
        }
        try {
            if (next instanceof AudioFrame frame) {
                socket.getAsyncRemote().sendBinary(frame.encode(), this::sent);
            } else {
                socket.getAsyncRemote().sendObject(next, this::sent);
            }
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "send on a closing socket", e);
            synchronized (this) {
                idle();
            }
        }
    }

    /** Nothing in flight any more; a close waiting for the queue may go. Holds the lock. */
    private void idle() {
        outgoing.clear();
        queuedFrames = 0;
        sending = false;
        notifyAll();
    }

    private void sent(SendResult result) {
        if (!result.isOK()) {
            LOG.log(Level.FINE, "send failed", result.getException());
        }
        sendNext();
    }
}
