/**
 * What an operator sees: {@code /API/admin/status} and {@code /API/admin/config} (secrets
 * redacted), and the readiness check that waits for GStreamer and its elements.
 */
package org.rtcsound.admin;
