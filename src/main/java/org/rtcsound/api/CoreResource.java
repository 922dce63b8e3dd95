package org.rtcsound.api;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.rtcsound.call.Refusal.InvalidSetting;
import org.rtcsound.config.SoundSettings;

/**
 * pyos-compatible: {@code POST /API/core/getkeyinfo {"provider":"webrtc.enable"}} answers
 * {@code {"status":200,"id":<value>}}. Only the keys the browser needs are readable here;
 * the rest of the configuration (secrets included) never is.
 */
@RequestScoped
@Path("core")
public class CoreResource {

    @Inject
    SoundSettings settings;

    @Operation(summary = "abcdesktop's getkeyinfo: the value of webrtc.enable or webrtc.rtc_constraints",
            description = "As pyos answers it: {\"status\":200,\"id\":<value>}; any other key: 404.")
    @POST
    @Path("getkeyinfo")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response getKeyInfo(JsonObject request) {
        String provider = request == null ? null : request.getString("provider", null);
        JsonValue value;
        try {
            if (SoundSettings.WEBRTC_ENABLE.equals(provider)) {
                value = settings.webrtcEnabled() ? JsonValue.TRUE : JsonValue.FALSE;
            } else if (SoundSettings.RTC_CONSTRAINTS.equals(provider)) {
                value = settings.rtcConstraints();
            } else {
                return PyosReply.error(Response.Status.NOT_FOUND, "unknown provider: expected 'webrtc.enable' or '"
                        + SoundSettings.RTC_CONSTRAINTS + "'");
            }
        } catch (InvalidSetting e) {
            return PyosReply.error(Response.Status.INTERNAL_SERVER_ERROR, e.getMessage());
        }
        JsonObject body = Json.createObjectBuilder().add("status", 200).add("id", value).build();
        return Response.ok(body, MediaType.APPLICATION_JSON).build();
    }
}
