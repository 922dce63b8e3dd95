package org.rtcsound.call;

import java.util.function.Consumer;

/** Where calls' media work runs (the server's managed executor): each call gets its own {@link SerialWork}. */
public interface CallExecutor {

    SerialWork serialWork(Consumer<Throwable> onFailure);
}
