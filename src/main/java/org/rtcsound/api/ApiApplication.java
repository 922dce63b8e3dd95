package org.rtcsound.api;

import jakarta.ws.rs.ApplicationPath;

import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;
import jakarta.ws.rs.core.Application;

/**
 * REST resources live under /API, where abcdesktop's pyos keeps its own. Their OpenAPI
 * document is at /openapi (and a UI at /openapi/ui).
 */
@ApplicationPath("/API")
@OpenAPIDefinition(info = @Info(title = "rtcsound", version = "1",
        description = "The desktop's sound in the browser over WebRTC: the browser's RTCConfiguration, abcdesktop's"
                + " compatible calls, and the operators' view of calls and desktop streams. Every resource but"
                + " page-info and demo-sign-in needs a token (Authorization or ABCAuthorization: Bearer);"
                + " /API/admin/* needs the group admin. Signalling is a WebSocket at /signalling (see the README)."),
        security = @SecurityRequirement(name = "bearer"))
@SecurityScheme(securitySchemeName = "bearer", type = SecuritySchemeType.HTTP, scheme = "bearer", bearerFormat = "JWT")
public class ApiApplication extends Application {
}
