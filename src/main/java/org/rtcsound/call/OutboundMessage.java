package org.rtcsound.call;

import jakarta.json.Json;

/**
 * What rtcsound says to the browser, each message knowing its text on the wire
 * (abcdesktop's protocol: {@code HELLO}, {@code ERROR <reason>}, and JSON for the offer
 * and the candidates). The session sends these; the transport only writes {@link #text()}.
 */
public sealed interface OutboundMessage {

    String text();

    /** The answer to the browser's {@code HELLO}: its call is being built. */
    record Hello() implements OutboundMessage {
        @Override
        public String text() {
            return "HELLO";
        }
    }

    /** The call's sound now comes on this socket, as binary {@link AudioFrame}s; the microphone goes up the same way. */
    record WebSocketPath() implements OutboundMessage {
        @Override
        public String text() {
            return "MEDIA websocket";
        }
    }

    /** The answer to the page's {@code ECHO <n>}. */
    record Echo(String payload) implements OutboundMessage {
        @Override
        public String text() {
            return "ECHO " + payload;
        }
    }

    record Offer(String sdp) implements OutboundMessage {
        @Override
        public String text() {
            return Json.createObjectBuilder()
                    .add("sdp", Json.createObjectBuilder().add("type", "offer").add("sdp", sdp))
                    .build().toString();
        }
    }

    record LocalCandidate(int sdpMLineIndex, String candidate) implements OutboundMessage {
        @Override
        public String text() {
            return Json.createObjectBuilder()
                    .add("ice", Json.createObjectBuilder()
                            .add("candidate", candidate)
                            .add("sdpMLineIndex", sdpMLineIndex))
                    .build().toString();
        }
    }

    /** A readable reason; whether the session goes on is the session's business, not the message's. */
    record Error(String reason) implements OutboundMessage {
        @Override
        public String text() {
            return "ERROR " + reason;
        }
    }
}
