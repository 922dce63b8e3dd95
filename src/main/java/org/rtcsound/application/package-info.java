/**
 * The use cases, above the adapters: {@link org.rtcsound.application.OpenCall} opens a call
 * (token, desktop, limits, TURN, media) by composing the adapters behind the call core's
 * {@link org.rtcsound.call.Calls} port.
 */
package org.rtcsound.application;
