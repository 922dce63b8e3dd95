package org.rtcsound.signalling;

import jakarta.websocket.Encoder;

import org.rtcsound.call.OutboundMessage;

/**
 * Writes the call's typed messages as text frames: each message knows its own wire text,
 * so the encoder is only the WebSocket side of that boundary.
 */
public class OutboundMessageEncoder implements Encoder.Text<OutboundMessage> {

    @Override
    public String encode(OutboundMessage message) {
        return message.text();
    }
}
