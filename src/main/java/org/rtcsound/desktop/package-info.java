/**
 * Where a user's desktop PulseAudio is (a token's address, Kubernetes pods, a static map or
 * the one server) and its device names; a user without one is a
 * {@link org.rtcsound.call.Refusal.NoDesktop}.
 */
package org.rtcsound.desktop;
