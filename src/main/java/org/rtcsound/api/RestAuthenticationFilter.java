package org.rtcsound.api;

import java.util.Set;

import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;

import org.rtcsound.security.Bearer;
import org.rtcsound.call.Caller;
import org.rtcsound.call.Refusal;
import org.rtcsound.security.TokenVerifier;

/**
 * Every REST resource under /API needs a valid token, in {@code Authorization} or in
 * abcdesktop's {@code ABCAuthorization} header ({@code Bearer <token>}); the admin
 * resources need the admin group as well. Open: what the page needs before sign-in.
 * Health checks are MicroProfile Health's, outside /API, and stay open.
 */
@Provider
@Priority(Priorities.AUTHENTICATION)
public class RestAuthenticationFilter implements ContainerRequestFilter {

    /** The request property (a servlet request attribute too) holding the {@link Caller}. */
    public static final String CALLER = "org.rtcsound.caller";

    private static final Set<String> OPEN = Set.of("rtcsound/page-info", "rtcsound/demo-sign-in");

    @Inject
    TokenVerifier verifier;

    @Override
    public void filter(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        path = path.startsWith("/") ? path.substring(1) : path;
        if (OPEN.contains(path)) {
            return;
        }
        String token = Bearer.fromAuthorization(request.getHeaderString(HttpHeaders.AUTHORIZATION));
        if (token == null) {
            token = Bearer.fromAuthorization(request.getHeaderString("ABCAuthorization"));
        }
        Caller caller;
        try {
            caller = verifier.verify(token);
        } catch (Refusal.TokenRefused e) {
            request.abortWith(refusal(Response.Status.UNAUTHORIZED, e.problem()));
            return;
        }
        if (path.startsWith("admin") && !caller.admin()) {
            request.abortWith(refusal(Response.Status.FORBIDDEN, "the admin API needs a token with the group '"
                    + TokenVerifier.ADMIN_GROUP + "'"));
            return;
        }
        request.setProperty(CALLER, caller);
    }

    /** pyos's reply shape, so abcdesktop's client shows the message. */
    private static Response refusal(Response.Status status, String message) {
        Response reply = PyosReply.error(status, message);
        return status == Response.Status.UNAUTHORIZED
                ? Response.fromResponse(reply).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"").build()
                : reply;
    }
}
