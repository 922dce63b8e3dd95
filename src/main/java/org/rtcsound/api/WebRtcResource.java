package org.rtcsound.api;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
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

/** pyos-compatible: {@code POST /API/webrtc/coturn_rtcconfiguration}, body {@code {}}. */
@RequestScoped
@Path("webrtc")
public class WebRtcResource {

    @Inject
    RtcConfigurationService rtcConfiguration;

    /** Set by {@link RestAuthenticationFilter}: the TURN username is bound to this caller. */
    @Context
    HttpServletRequest request;

    @Operation(summary = "abcdesktop's coturn_rtcconfiguration: the RTCConfiguration in pyos's reply shape",
            description = "{\"status\":200,\"result\":{\"iceServers\":[...]},\"message\":\"ok\"}, with a fresh TURN credential.")
    @POST
    @Path("coturn_rtcconfiguration")
    @Produces(MediaType.APPLICATION_JSON)
    public Response coturnRtcConfiguration() {
        Caller caller = (Caller) request.getAttribute(RestAuthenticationFilter.CALLER);
        try {
            return PyosReply.ok(rtcConfiguration.forUser(caller.name()));
        } catch (InvalidSetting e) {
            return PyosReply.error(Response.Status.INTERNAL_SERVER_ERROR, e.getMessage());
        }
    }
}
