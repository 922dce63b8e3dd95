package org.rtcsound.testing;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts the suite's PulseAudio before Arquillian starts its server, which inherits
 * PULSE_SERVER from the test JVM. Register it before ArquillianExtension. Inside the
 * server (where Arquillian runs the test methods) it does nothing.
 */
public final class SuitePulseAudio implements BeforeAllCallback {

    @Override
    public void beforeAll(ExtensionContext context) {
        if (System.getProperty("wlp.install.dir") == null) {
            Suite.pulse(context);
        }
    }
}
