package org.rtcsound.testing;

import java.util.List;

/**
 * A page open in a real browser, as the tests that listen to it need it: Chromium's
 * ({@link Chromium.Tab}) or Firefox's ({@link Firefox.Tab}).
 */
public interface BrowserTab {

    /**
     * Calls a function (its JavaScript source, such as {@code "(s) => window.rtcsound.state === s"})
     * in the page with one argument (a string, number, boolean or null), awaits it if it is
     * async, and returns its result as Java values: maps, lists, numbers, strings, booleans,
     * null. The function is called by the browser's automation protocol, not eval'd, so the
     * page's Content-Security-Policy (no eval) does not stop it.
     */
    Object evaluate(String function, Object argument);

    default Object evaluate(String function) {
        return evaluate(function, null);
    }

    /** The text of the first element the selector matches, or null. */
    default String textContent(String selector) {
        return (String) evaluate("(s) => document.querySelector(s)?.textContent ?? null", selector);
    }

    /** A trusted click (a user gesture) on the first element the selector matches. */
    void click(String selector);

    /** The page's console lines so far. */
    List<String> console();
}
