package org.rtcsound.security;

import java.io.IOException;

import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.eclipse.microprofile.config.Config;
import org.rtcsound.config.Setting;

/**
 * https and wss only, except for a browser on this machine (the embedded default) and for
 * health checks (Kubernetes probes speak plain http). Behind a TLS-terminating ingress, set
 * {@code rtcsound.security.trust-forwarded-proto} so that {@code X-Forwarded-Proto: https}
 * counts. Every answer carries a Content-Security-Policy; secure ones carry HSTS.
 */
@WebFilter(urlPatterns = "/*", asyncSupported = true)
public class TransportSecurityFilter extends HttpFilter {

    private static final long serialVersionUID = 1L;

    /** Scripts and styles from this server only; media and connections to it (wss included). */
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; media-src 'self' blob: mediastream:; connect-src 'self'; "
            + "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    @Inject
    SecuritySettings settings;

    @Inject
    Config config;

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        boolean secure = request.isSecure()
                || (settings.trustForwardedProto() && "https".equalsIgnoreCase(request.getHeader("X-Forwarded-Proto")));
        String path = request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
        if (!secure && !ClientAddress.isLoopback(request.getRemoteAddr()) && !path.startsWith("/health")) {
            if ("GET".equals(request.getMethod()) && !path.startsWith("/API") && !path.startsWith("/signalling")) {
                response.setStatus(308);
                response.setHeader("Location", secureOrigin(config, request.getServerName()) + request.getRequestURI());
            } else {
                response.sendError(HttpServletResponse.SC_FORBIDDEN, "rtcsound answers over https and wss only");
            }
            return;
        }
        response.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("Referrer-Policy", "no-referrer");
        if (secure) {
            response.setHeader("Strict-Transport-Security", "max-age=31536000");
        }
        chain.doFilter(request, response);
    }

    /** {@code https://host[:port]} for this server's https endpoint (Liberty's {@code https.port}). */
    public static String secureOrigin(Config config, String host) {
        int port = Setting.HTTPS_PORT.read(config);
        return "https://" + (host.contains(":") ? "[" + host + "]" : host) + (port == 443 ? "" : ":" + port);
    }
}
