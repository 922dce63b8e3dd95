package org.rtcsound.security;

import java.io.IOException;

import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Refuses a client address that opens signalling connections faster than
 * {@code rtcsound.limits.new-sessions-per-client-per-minute}, with 429 before the
 * WebSocket upgrade: no session, no token check, no pipeline is spent on it.
 */
@WebFilter(urlPatterns = "/signalling", asyncSupported = true)
public class NewSessionRateFilter extends HttpFilter {

    private static final long serialVersionUID = 1L;

    @Inject
    SessionLimits limits;

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (!limits.admitConnection(request.getRemoteAddr())) {
            response.setHeader("Retry-After", "10");
            response.sendError(429, "too many new sessions from your address; try again in a few seconds");
            return;
        }
        chain.doFilter(request, response);
    }
}
