package org.rtcsound.call;

/** The browser's connection as the call sees it. Implementations serialise sends and never block the caller. */
public interface Transport {

    void send(OutboundMessage message);

    /**
     * Queues one binary frame of the WebSocket path. False when it was not queued: the browser
     * reads so slowly that two seconds of frames still wait (it is then dropped,
     * never buffered without bound), or the connection is closing.
     */
    default boolean sendFrame(AudioFrame frame) {
        return false;
    }

    /** Closes after the messages sent before; {@code code} is one of {@link CloseCode}'s or the transport's own. */
    void close(int code, String reason);

    /**
     * Asks the browser for a sign of life (a WebSocket ping); the answer arrives as
     * {@link SignallingSession#onPong()}. Browsers answer pings by themselves. False when no
     * ping could be sent (then no silence can be taken for a browser gone).
     */
    default boolean ping() {
        return false;
    }

    /** The caller proved who they are: the connection may now stay quiet for the whole call. */
    default void authenticated() {
    }
}
