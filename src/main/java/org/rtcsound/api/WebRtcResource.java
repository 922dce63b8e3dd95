package org.rtcsound.api;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.rtcsound.config.InvalidSettingException;
import org.rtcsound.ice.RtcConfigurationService;

/** pyos-compatible: {@code POST /API/webrtc/coturn_rtcconfiguration}, body {@code {}}. */
@RequestScoped
@Path("webrtc")
public class WebRtcResource {

    @Inject
    RtcConfigurationService rtcConfiguration;

    @POST
    @Path("coturn_rtcconfiguration")
    @Produces(MediaType.APPLICATION_JSON)
    public Response coturnRtcConfiguration() {
        try {
            return PyosReply.ok(rtcConfiguration.forUser(null));
        } catch (InvalidSettingException e) {
            return PyosReply.error(Response.Status.INTERNAL_SERVER_ERROR, e.getMessage());
        }
    }
}
