package org.rtcsound.api;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.rtcsound.security.ClientAddress;
import org.rtcsound.security.DemoTokens;
import org.rtcsound.security.TransportSecurityFilter;

/**
 * What the page needs to know about the server: over plain http it links to the https
 * address (Liberty's {@code https.port} variable), since browsers give WebRTC media only
 * to secure pages; {@code demoSignIn} says whether this browser may use the local demo
 * sign-in.
 */
@RequestScoped
@Path("rtcsound")
public class PageInfoResource {

    @Inject
    Config config;

    @Inject
    DemoTokens demo;

    @Context
    UriInfo uri;

    @Context
    HttpServletRequest http;

    @Operation(summary = "What the page needs before sign-in: the https address and whether the demo sign-in is on",
            description = "Open, no token.")
    @GET
    @Path("page-info")
    @Produces(MediaType.APPLICATION_JSON)
    public JsonObject pageInfo() {
        String secureUrl = TransportSecurityFilter.secureOrigin(config, uri.getBaseUri().getHost()) + "/";
        return Json.createObjectBuilder().add("secureUrl", secureUrl)
                .add("demoSignIn", demo.enabled() && ClientAddress.isLoopback(http.getRemoteAddr()))
                .build();
    }
}
