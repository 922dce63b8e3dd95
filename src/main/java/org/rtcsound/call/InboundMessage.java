package org.rtcsound.call;

import java.io.StringReader;
import java.util.regex.Pattern;

import jakarta.json.Json;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonParser;

/**
 * What a browser may say on the signalling socket, in abcdesktop's protocol (GStreamer's
 * webrtc demo protocol): {@code HELLO <uid>} (after {@code TOKEN <jwt>} when the token was
 * not in the handshake), then JSON {@code {"sdp":{...}}} and
 * {@code {"ice":{...}}}. rtcsound's own page adds {@code HEALED <why>} after its HELLO when
 * it called again on its own, so that the server counts the page's heals beside its own;
 * {@code MEDIA websocket} to carry the call's sound on this socket ({@link MediaPath#WEBSOCKET}),
 * and {@code ECHO <n>} to measure the socket's round trip.
 * Anything else parses to {@link Invalid} with the reason to send back.
 */
public sealed interface InboundMessage {

    record Hello(String uid) implements InboundMessage {
    }

    /** {@code TOKEN <jwt>}: the token as the first message, for clients that cannot put it in the handshake. */
    record Token(String token) implements InboundMessage {
    }

    record Answer(String sdp) implements InboundMessage {
    }

    /** A trickled candidate; an empty candidate marks the end of the browser's gathering. */
    record RemoteCandidate(String candidate, int sdpMLineIndex) implements InboundMessage {
        public boolean endOfCandidates() {
            return candidate.isEmpty();
        }
    }

    /** {@code HEALED stalled|not-connected}: this call replaces one the page gave up on, for that reason. */
    record Healed(Heal heal) implements InboundMessage {
    }

    /** {@code MEDIA websocket}: before HELLO, the call starts on the WebSocket path; after it, the call moves there. */
    record UseWebSocket() implements InboundMessage {
    }

    /** {@code ECHO <n>}: the server sends {@code ECHO <n>} back at once (the page times the round trip). */
    record Echo(String payload) implements InboundMessage {
    }

    record Invalid(String reason) implements InboundMessage {
    }

    /** What an ECHO may carry: a number, as the page's clock gives it. */
    Pattern ECHO_PAYLOAD = Pattern.compile("[0-9.]{1,24}");

    /** A uid is a label: printable, no spaces, at most 128 characters. */
    Pattern UID = Pattern.compile("[\\p{Graph}&&[^\"'<>\\\\]]{1,128}");

    static InboundMessage parse(String frame) {
        if (frame.startsWith("{") || frame.startsWith("[")) {
            return parseJson(frame);
        }
        String command = frame.split(" ", 2)[0];
        switch (command) {
            case "HELLO": {
                String uid = frame.length() > 6 ? frame.substring(6) : "";
                return UID.matcher(uid).matches() ? new Hello(uid)
                        : new Invalid("HELLO needs a uid: HELLO <uid>, 1 to 128 printable characters without spaces");
            }
            case "TOKEN": {
                String token = frame.length() > 6 ? frame.substring(6).trim() : "";
                return token.isEmpty() ? new Invalid("TOKEN needs a token: TOKEN <jwt>") : new Token(token);
            }
            case "HEALED": {
                String why = frame.length() > 7 ? frame.substring(7) : "";
                return switch (why) {
                    case "stalled" -> new Healed(Heal.PAGE_STALLED);
                    case "not-connected" -> new Healed(Heal.PAGE_NOT_CONNECTED);
                    default -> new Invalid("HEALED needs a reason: HEALED stalled or HEALED not-connected");
                };
            }
            case "MEDIA": {
                String path = frame.length() > 6 ? frame.substring(6) : "";
                return "websocket".equals(path) ? new UseWebSocket()
                        : new Invalid("MEDIA needs a path: MEDIA websocket");
            }
            case "ECHO": {
                String payload = frame.length() > 5 ? frame.substring(5) : "";
                return ECHO_PAYLOAD.matcher(payload).matches() ? new Echo(payload)
                        : new Invalid("ECHO needs a number: ECHO <n>, up to 24 digits");
            }
            case "SESSION":
            case "ROOM":
            case "ROOM_PEER_MSG":
                return new Invalid(command + " is not supported: rtcsound itself is the peer, say HELLO <uid> and "
                        + "answer its offer");
            default:
                return new Invalid("unknown message: expected TOKEN <jwt>, HELLO <uid>, or JSON with \"sdp\" or \"ice\"");
        }
    }

    private static InboundMessage parseJson(String frame) {
        JsonObject message;
        try (JsonParser parser = Json.createParser(new StringReader(frame))) {
            parser.next();
            JsonValue value = parser.getValue();
            if (parser.hasNext()) {
                return new Invalid("invalid JSON: text after the message");
            }
            if (value.getValueType() != JsonValue.ValueType.OBJECT) {
                return new Invalid("invalid JSON message: expected an object");
            }
            message = value.asJsonObject();
        } catch (RuntimeException e) {
            // JsonException, IllegalStateException, NoSuchElementException, and Parsson's plain
            // RuntimeException past its nesting limit (1000): any parser failure is bad input.
            return new Invalid("invalid JSON: " + firstLine(e.getMessage()));
        }
        JsonValue sdp = message.get("sdp");
        if (sdp != null) {
            return parseDescription(sdp);
        }
        JsonValue ice = message.get("ice");
        if (ice != null) {
            return parseCandidate(ice);
        }
        return new Invalid("unknown JSON message: expected \"sdp\" or \"ice\"");
    }

    private static InboundMessage parseDescription(JsonValue value) {
        if (value.getValueType() != JsonValue.ValueType.OBJECT) {
            return new Invalid("invalid sdp message: expected {\"type\":\"answer\",\"sdp\":\"...\"}");
        }
        JsonObject description = value.asJsonObject();
        String type = string(description, "type");
        String sdp = string(description, "sdp");
        if ("offer".equals(type)) {
            return new Invalid("rtcsound makes the offer; the browser sends only an answer");
        }
        if (!"answer".equals(type) || sdp == null) {
            return new Invalid("invalid sdp message: expected {\"type\":\"answer\",\"sdp\":\"...\"}");
        }
        String problem = SdpCheck.problemWithAnswer(sdp);
        return problem == null ? new Answer(sdp) : new Invalid("invalid SDP: " + problem);
    }

    private static InboundMessage parseCandidate(JsonValue value) {
        if (value.getValueType() == JsonValue.ValueType.NULL) {
            return new RemoteCandidate("", 0);
        }
        if (value.getValueType() != JsonValue.ValueType.OBJECT) {
            return new Invalid("invalid ice message: expected {\"candidate\":\"...\",\"sdpMLineIndex\":0}");
        }
        JsonObject ice = value.asJsonObject();
        String candidate = string(ice, "candidate");
        JsonValue index = ice.get("sdpMLineIndex");
        if (candidate == null || !(index instanceof JsonNumber) || !((JsonNumber) index).isIntegral()
                || ((JsonNumber) index).intValue() < 0 || ((JsonNumber) index).intValue() > 16) {
            return new Invalid("invalid ice message: expected {\"candidate\":\"...\",\"sdpMLineIndex\":0}");
        }
        if (!candidate.isEmpty() && !candidate.startsWith("candidate:") && !candidate.startsWith("a=candidate:")) {
            return new Invalid("invalid ice candidate: it must start with 'candidate:'");
        }
        return new RemoteCandidate(candidate, ((JsonNumber) index).intValue());
    }

    private static String string(JsonObject object, String key) {
        JsonValue value = object.get(key);
        return value instanceof JsonString ? ((JsonString) value).getString() : null;
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "unreadable";
        }
        int end = text.indexOf('\n');
        return end < 0 ? text : text.substring(0, end);
    }
}
