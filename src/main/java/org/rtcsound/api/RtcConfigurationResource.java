package org.rtcsound.api;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.rtcsound.call.Refusal.InvalidSetting;
import org.rtcsound.ice.RtcConfigurationService;
import org.rtcsound.call.Caller;

/**
 * rtcsound's own resource for the browser's RTCConfiguration: {@code GET
 * /API/rtcsound/rtc-configuration} answers the object itself (for {@code new
 * RTCPeerConnection(...)}), with a fresh TURN credential each time; an unusable
 * configuration answers 500 with {@code {"error": ...}} naming the setting.
 */
@RequestScoped
@Path("rtcsound/rtc-configuration")
public class RtcConfigurationResource {

    @Inject
    RtcConfigurationService rtcConfiguration;

    /** Set by {@link RestAuthenticationFilter}: the TURN username is bound to this caller. */
    @Context
    HttpServletRequest request;

    @Operation(summary = "The browser's RTCConfiguration, with a fresh time-limited TURN credential",
            description = "STUN and TURN servers from od.config; the TURN username carries the caller and an expiry (coturn use-auth-secret).")
    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response get() {
        Caller caller = (Caller) request.getAttribute(RestAuthenticationFilter.CALLER);
        try {
            return Response.ok(rtcConfiguration.forUser(caller.name())).header("Cache-Control", "no-store").build();
        } catch (InvalidSetting e) {
            return Response.serverError().type(MediaType.APPLICATION_JSON)
                    .entity(Json.createObjectBuilder().add("error", e.getMessage()).build()).build();
        }
    }
}
