/**
 * Who may call and how often: token verification (jose4j, RS256) and trusted keys, the demo
 * sign-in, session limits and the per-client rate limit, and https-only transport with its
 * headers. Its refusals are the call core's {@link org.rtcsound.call.Refusal}s.
 */
package org.rtcsound.security;
