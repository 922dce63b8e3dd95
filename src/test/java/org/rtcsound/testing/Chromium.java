package org.rtcsound.testing;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.Route;

/**
 * Debian's real headless Chromium, driven by Playwright. It decodes the audio for real;
 * only its output device is off, so it never plays back into the PulseAudio the service
 * streams (a feedback loop), and it cannot reach that PulseAudio at all.
 */
public final class Chromium implements AutoCloseable {

    /** Flags that let WebRTC work headless on one machine (see shared/notes/platform.md). */
    public static final List<String> FLAGS = List.of(
            "--no-sandbox", "--disable-gpu",
            "--autoplay-policy=no-user-gesture-required",
            "--allow-loopback-in-peer-connection",
            "--disable-features=WebRtcHideLocalIpsWithMdns",
            "--disable-audio-output",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", "--disable-quic");

    private final Playwright playwright;
    private final Browser browser;
    /** Whether its pages ignore certificate errors; else it trusts the certificates pinned at its launch. */
    private final boolean ignoresCertificateErrors;

    private Chromium(Playwright playwright, Browser browser, boolean ignoresCertificateErrors) {
        this.playwright = playwright;
        this.browser = browser;
        this.ignoresCertificateErrors = ignoresCertificateErrors;
    }

    public static Chromium launch() {
        return launch(FLAGS);
    }

    public static Chromium launch(List<String> flags) {
        Requirements.require("chromium", "chromium");
        return launch(flags, Requirements.which("chromium"));
    }

    /**
     * A Chromium that trusts {@code server}'s own certificate, as users' browsers trust a
     * deployment's: pinned by its key, its pages see no certificate error. One that ignores the
     * errors instead pays for them: each new connection is refused once and made again (a
     * WebSocket's TLS twice, seen in Chromium's net-log); by hand here, page load -> 'call' 216
     * against 305 ms and 'call' -> 'socket open' 82 against 104. The benchmarks measure what
     * users have.
     */
    public static Chromium launchTrusting(LibertyServer server) {
        Requirements.require("chromium", "chromium");
        List<String> flags = new ArrayList<>(FLAGS);
        flags.add("--ignore-certificate-errors-spki-list=" + server.certificateSpkiSha256());
        return launch(flags, Requirements.which("chromium"), false);
    }

    /** Launches another executable, such as a script that runs Chromium in a network namespace. */
    public static Chromium launch(List<String> flags, Path executable) {
        return launch(flags, executable, true);
    }

    private static Chromium launch(List<String> flags, Path executable, boolean ignoresCertificateErrors) {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("PULSE_SERVER", "unix:/nonexistent/rtcsound-test"); // no route to the desktop's PulseAudio
        Playwright playwright = Playwright.create(new Playwright.CreateOptions()
                .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        Browser browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
                .setExecutablePath(executable)
                .setHeadless(true)
                .setArgs(new ArrayList<>(flags))
                .setEnv(env));
        return new Chromium(playwright, browser, ignoresCertificateErrors);
    }

    public Tab open(URI uri) {
        return open(uri, null);
    }

    /** Opens a page after running {@code initScript} (if not null) before any of its own scripts. */
    public Tab open(URI uri, String initScript) {
        return open(uri, initScript, null);
    }

    /**
     * Opens {@code uri} with the test's own document ({@code html}) in place of the server's,
     * so that a test page runs at the server's origin (its scripts, REST calls and WebSocket
     * are same-origin); every other request still goes to the server.
     */
    public Tab openServed(URI uri, String html) {
        return open(uri, null, html, page -> { });
    }

    /**
     * Opens a page after {@code prepare} has run on it (a DevTools session that answers some
     * of its requests, say) and with {@code initScript} (if not null) before any of its own scripts.
     */
    public Tab openPrepared(URI uri, String initScript, java.util.function.Consumer<Page> prepare) {
        return open(uri, initScript, null, prepare);
    }

    private Tab open(URI uri, String initScript, String servedHtml) {
        return open(uri, initScript, servedHtml, page -> { });
    }

    private Tab open(URI uri, String initScript, String servedHtml, java.util.function.Consumer<Page> prepare) {
        BrowserContext context = browser.newContext(
                new Browser.NewContextOptions().setIgnoreHTTPSErrors(ignoresCertificateErrors));
        if (servedHtml != null) {
            context.route(uri.toString(), route -> route.fulfill(new Route.FulfillOptions().setStatus(200)
                    .setContentType("text/html; charset=utf-8").setBody(servedHtml)));
        }
        Page page = context.newPage();
        prepare.accept(page);
        if (initScript != null) {
            page.addInitScript(initScript);
        }
        Tab tab = new Tab(context, page);
        page.onConsoleMessage(message -> tab.console.add(
                new ConsoleLine((System.nanoTime() - tab.opened) / 1_000_000, message.text())));
        page.navigate(uri.toString());
        return tab;
    }

    /** A console line and when it came, in ms after the tab opened. */
    private record ConsoleLine(long millis, String text) {
    }

    /** One page in a context of its own; its console lines are kept. */
    public static final class Tab implements BrowserTab, AutoCloseable {
        private final BrowserContext context;
        private final Page page;
        private final List<ConsoleLine> console = new CopyOnWriteArrayList<>();
        private final long opened = System.nanoTime();

        Tab(BrowserContext context, Page page) {
            this.context = context;
            this.page = page;
        }

        public Page page() {
            return page;
        }

        @Override
        public Object evaluate(String function, Object argument) {
            return page.evaluate(function, argument);
        }

        @Override
        public String textContent(String selector) {
            return page.textContent(selector);
        }

        @Override
        public void click(String selector) {
            page.click(selector);
        }

        @Override
        public List<String> console() {
            return console.stream().map(ConsoleLine::text).toList();
        }

        /** The console lines, each with the time since the tab opened. */
        public List<String> timedConsole() {
            return console.stream().map(line -> line.millis() + " ms " + line.text()).toList();
        }

        public void screenshot(Path file) {
            page.screenshot(new Page.ScreenshotOptions().setPath(file));
        }

        @Override
        public void close() {
            context.close();
        }
    }

    @Override
    public void close() {
        browser.close();
        playwright.close();
    }
}
