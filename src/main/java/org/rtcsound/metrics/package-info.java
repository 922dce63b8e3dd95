/**
 * The figures operators scrape at {@code /metrics} (Prometheus' format, MicroProfile Metrics):
 * calls, listeners and desktop streams open; calls opened, refused by kind and failed; time to
 * first audio (a histogram); heals by kind; and each connected call's network figures.
 */
package org.rtcsound.metrics;
