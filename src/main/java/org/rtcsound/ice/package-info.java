/**
 * The browser's {@code rtc_configuration} and webrtcbin's TURN server, with a time-limited
 * TURN credential of each call's own (coturn's {@code use-auth-secret} scheme).
 */
package org.rtcsound.ice;
