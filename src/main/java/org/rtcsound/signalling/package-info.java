/**
 * The WebSocket adapter of the call core: the endpoint at {@code /signalling} (handshake token,
 * frame size limit, binary frames), the transport that never blocks its caller, the encoder of
 * outgoing messages, and the registry of open sessions for the admin view.
 */
package org.rtcsound.signalling;
