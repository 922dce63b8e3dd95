package org.rtcsound.api;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.rtcsound.security.DemoTokens;
import org.rtcsound.security.ClientAddress;
import org.rtcsound.call.InboundMessage;

/**
 * The local demo sign-in of the embedded default: {@code POST /API/rtcsound/demo-sign-in
 * {"user":"alice"}} answers {@code {"token": ..., "demo": true}}, a token for whoever asks.
 * It is a demonstration, not authentication: on only with
 * {@code rtcsound.security.demo-sign-in=true} (off in the image and the chart), and only
 * for a browser on this machine.
 */
@RequestScoped
@Path("rtcsound/demo-sign-in")
public class DemoSignInResource {

    @Inject
    DemoTokens demo;

    @Context
    HttpServletRequest http;

    @Operation(summary = "Signs this browser in as a demo user (only with the demo sign-in on, only from this machine)",
            description = "{\"user\":\"alice\"} gets a token for alice; with \"admin\": true, one with the admin group"
                    + " (for the operator page); 404 when the demo is off or the caller is not local.")
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response signIn(JsonObject request) {
        if (!demo.enabled() || !ClientAddress.isLoopback(http.getRemoteAddr())) {
            return PyosReply.error(Response.Status.NOT_FOUND,
                    "the demo sign-in is off (it serves only browsers on the server's machine, when turned on)");
        }
        String user = request == null ? null : request.getString("user", null);
        if (user == null || !InboundMessage.UID.matcher(user).matches()) {
            return PyosReply.error(Response.Status.BAD_REQUEST,
                    "expected {\"user\": \"<id>\"}, 1 to 128 printable characters without spaces");
        }
        boolean admin = request.getBoolean("admin", false);
        JsonObject body = Json.createObjectBuilder().add("token", demo.issue(user, admin)).add("user", user)
                .add("admin", admin).add("demo", true).build();
        return Response.ok(body).header("Cache-Control", "no-store").build();
    }
}
