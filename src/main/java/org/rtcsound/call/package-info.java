/**
 * The call itself: one browser's signalling conversation ({@link org.rtcsound.call.SignallingSession}),
 * the messages of abcdesktop's protocol both ways, and the ports it drives (transport, media
 * peer, executor, the use case) with the one sealed {@link org.rtcsound.call.Refusal} type. It
 * imports none of rtcsound's adapters, so it is tested in milliseconds with fake ports.
 */
package org.rtcsound.call;
