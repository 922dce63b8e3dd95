package org.rtcsound.testing;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/** One headless Chromium per test class, given to the test's constructor and closed after the class. */
public final class ChromiumPerClass implements ParameterResolver {

    private record Closable(Chromium chromium) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            chromium.close();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Chromium.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        ExtensionContext classContext = context.getParent().filter(c -> c.getTestMethod().isEmpty()).orElse(context);
        return classContext.getStore(ExtensionContext.Namespace.create(ChromiumPerClass.class))
                .getOrComputeIfAbsent("chromium", key -> new Closable(Chromium.launch()), Closable.class).chromium();
    }
}
