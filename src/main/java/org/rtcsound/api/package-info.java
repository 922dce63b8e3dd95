/**
 * The pyos-compatible REST resources under {@code /API} (JAX-RS), and the filter that asks
 * every one of them but the open ones for a token.
 */
package org.rtcsound.api;
