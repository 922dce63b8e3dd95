/**
 * The figures operators scrape at {@code /metrics} (Prometheus' format, MicroProfile Metrics):
 * calls, listeners and desktop streams open, and calls opened, refused by kind and failed.
 */
package org.rtcsound.metrics;
