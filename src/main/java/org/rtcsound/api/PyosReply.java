package org.rtcsound.api;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** pyos answers {@code {"status":..., "result":..., "message":...}}; so do we on its paths. */
final class PyosReply {

    private PyosReply() {
    }

    static Response ok(JsonValue result) {
        JsonObject body = Json.createObjectBuilder()
                .add("status", 200).add("result", result).add("message", "ok").build();
        return Response.ok(body, MediaType.APPLICATION_JSON).build();
    }

    static Response error(Response.Status status, String message) {
        JsonObject body = Json.createObjectBuilder()
                .add("status", status.getStatusCode()).add("message", message).build();
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(body).build();
    }
}
