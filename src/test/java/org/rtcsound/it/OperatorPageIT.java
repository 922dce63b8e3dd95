package org.rtcsound.it;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.json.Json;
import jakarta.json.JsonObject;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.options.AriaRole;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.rtcsound.testing.Chromium;
import org.rtcsound.testing.ChromiumPerClass;
import org.rtcsound.testing.PageAudio;
import org.rtcsound.testing.Suite;
import org.rtcsound.testing.TestTokens;
import org.rtcsound.testing.Tones;

/**
 * The operator page ({@code /operator.html}) in headless Chromium against the suite's server:
 * it shows a user page's call and its desktop stream as the admin API has them, ends the call
 * from the keyboard, asks one round at a time and nothing while hidden, and tells a token
 * without the admin group why it is refused.
 */
@ExtendWith({Suite.class, ChromiumPerClass.class})
class OperatorPageIT {

    private static final double WAIT_MS = 10_000;
    private static final LocatorAssertions.HasTextOptions WAIT = new LocatorAssertions.HasTextOptions().setTimeout(WAIT_MS);

    /** Records every Content-Security-Policy violation, so that a test can say the page keeps the policy. */
    private static final String RECORD_POLICY_VIOLATIONS = "window.policyViolations = [];"
            + "document.addEventListener('securitypolicyviolation',"
            + " (e) => window.policyViolations.push(e.violatedDirective + ' ' + e.blockedURI));";

    private final Suite.Parts parts;
    private final Chromium chromium;

    OperatorPageIT(Suite.Parts parts, Chromium chromium) {
        this.parts = parts;
        this.chromium = chromium;
    }

    private List<JsonObject> callsOf(String caller) {
        HttpResponse<String> response = parts.liberty().get("/API/admin/calls");
        assertEquals(200, response.statusCode(), response.body());
        return Json.createReader(new StringReader(response.body())).readArray().getValuesAs(JsonObject.class).stream()
                .filter(call -> caller.equals(call.getString("caller", null))).toList();
    }

    /**
     * Lets the test hide and show the page: headless Chromium's pages are always visible, so
     * document.hidden is answered here and visibilitychange fired as a browser fires it.
     */
    private static final String VISIBILITY_SWITCH = "let hiddenByTest = false;"
            + "Object.defineProperty(document, 'hidden', { get: () => hiddenByTest });"
            + "Object.defineProperty(document, 'visibilityState', { get: () => (hiddenByTest ? 'hidden' : 'visible') });"
            + "window.hideForTest = (hidden) => { hiddenByTest = hidden;"
            + " document.dispatchEvent(new Event('visibilitychange')); };";

    private Chromium.Tab operatorPage(String token) {
        return chromium.open(parts.liberty().httpsUri("/operator.html" + (token == null ? "" : "#jwt_token=" + token)),
                RECORD_POLICY_VIOLATIONS + VISIBILITY_SWITCH);
    }

    @Test
    void anOperatorSeesACallAndItsDesktopStreamAndEndsItFromTheKeyboard() {
        Process tone = parts.pulse().play(Tones.sine(parts.work().resolve("operator-page.wav"), 650, 30, 0.5), "virtspk");
        try (Chromium.Tab user = chromium.open(parts.liberty().httpsUri("/?uid=alice"));
                Chromium.Tab operator = operatorPage(TestTokens.admin())) {
            PageAudio.assertHears(user, 650);
            List<JsonObject> calls = callsOf("alice");
            assertEquals(1, calls.size(), calls.toString());
            String id = calls.get(0).getString("id");
            Page page = operator.page();
            assertEquals("", page.evaluate("() => location.hash"), "the token leaves the address");

            Locator row = page.locator("#calls tbody tr[data-call=\"" + id + "\"]");
            assertThat(row.locator("[data-field=caller]")).hasText("alice", WAIT);
            assertThat(row.locator("[data-field=state]")).hasText(calls.get(0).getString("state"), WAIT);

            JsonObject stream = parts.liberty().status().getJsonArray("desktopStreams").getJsonObject(0);
            Locator streamRow = page.locator("#streams tbody tr").filter(new Locator.FilterOptions()
                    .setHas(page.locator("th[data-field=server]", new Page.LocatorOptions()
                            .setHasText(stream.getString("server")))));
            assertThat(streamRow.locator("[data-field=listeners]")).hasText("1", WAIT);
            assertThat(streamRow.locator("[data-field=speakerSink]")).hasText("virtspk", WAIT);
            assertThat(page.locator("#totals [data-field=listeners]")).hasText("1", WAIT);

            String sha256 = parts.liberty().config().getString("sha256");
            assertThat(page.locator("#config-sha256")).hasText(sha256, WAIT);
            operator.screenshot(parts.work().resolve("operator-page.png")); // what an operator sees

            Locator end = page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("End call " + id + " of alice"));
            end.focus();
            page.keyboard().press("Enter");
            PageAudio.awaitState(user, "error", WAIT_MS);
            assertEquals("this call was ended by an operator", user.textContent("#status"));
            assertThat(row).hasCount(0, new LocatorAssertions.HasCountOptions().setTimeout(WAIT_MS));
            assertThat(page.locator("#notice")).hasText("ended call " + id, WAIT);
            assertTrue(callsOf("alice").isEmpty(), "the call is gone: " + callsOf("alice"));
            assertEquals(List.of(), page.evaluate("() => window.policyViolations"), "the page keeps the CSP");
        } finally {
            tone.destroy();
        }
        parts.liberty().awaitIdle(Duration.ofSeconds(10));
    }

    /** The page's requests to the admin API: how many so far, and the most ever under way at once. */
    private static final class AdminRequests {
        final AtomicInteger asked = new AtomicInteger();
        final AtomicInteger underWay = new AtomicInteger();
        final AtomicInteger mostUnderWay = new AtomicInteger();

        AdminRequests(Page page) {
            page.onRequest(request -> {
                if (request.url().contains("/API/admin/")) {
                    asked.incrementAndGet();
                    mostUnderWay.accumulateAndGet(underWay.incrementAndGet(), Math::max);
                }
            });
            page.onRequestFinished(request -> finished(request.url()));
            page.onRequestFailed(request -> finished(request.url()));
        }

        private void finished(String url) {
            if (url.contains("/API/admin/")) {
                underWay.decrementAndGet();
            }
        }

        /** Waits (letting Playwright deliver the page's events) until more than {@code count} were asked. */
        boolean awaitMoreThan(Page page, int count, long timeoutMillis) {
            long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
            while (asked.get() <= count && System.nanoTime() < deadline) {
                page.waitForTimeout(50);
            }
            return asked.get() > count;
        }
    }

    @Test
    void thePageAsksOneRoundAtATimeAndNothingWhileHidden() {
        try (Chromium.Tab tab = operatorPage(TestTokens.admin())) {
            Page page = tab.page();
            AdminRequests requests = new AdminRequests(page);
            assertThat(page.locator("#notice")).hasText("up to date (refreshed every second)", WAIT);
            assertTrue(requests.awaitMoreThan(page, 6, 10_000), "at least three rounds of three: " + requests.asked);
            assertTrue(requests.mostUnderWay.get() <= 3, "one round (calls, status, config) at a time, not "
                    + requests.mostUnderWay.get() + " requests");

            page.evaluate("() => window.hideForTest(true)");
            page.waitForTimeout(1000); // a round under way when the page hid may still end
            int whenHidden = requests.asked.get();
            page.waitForTimeout(3000); // three periods
            assertEquals(whenHidden, requests.asked.get(), "a hidden page asks nothing");

            page.evaluate("() => window.hideForTest(false)");
            assertTrue(requests.awaitMoreThan(page, whenHidden, 5000), "shown again, it asks again");
            assertTrue(requests.mostUnderWay.get() <= 3, "at most one round at a time: " + requests.mostUnderWay.get());
        }
    }

    @Test
    void aTokenWithoutTheAdminGroupGetsAReadableRefusal() {
        try (Chromium.Tab user = operatorPage(TestTokens.user("bob"))) {
            Locator notice = user.page().locator("#notice[role=status]");
            assertThat(notice).hasText("not an operator: the admin API needs a token with the group 'admin'", WAIT);
            assertThat(notice).hasAttribute("data-state", "error");
            assertThat(user.page().locator("#calls tbody tr")).hasCount(0);
        }
        try (Chromium.Tab forged = operatorPage(TestTokens.unsigned("mallory"))) {
            assertThat(forged.page().locator("#notice")).hasText("token refused: token algorithm must be RS256, not none."
                    + " Open this page with an operator's token (/operator.html#jwt_token=...)", WAIT);
        }
    }

    @Test
    void onThisMachineTheDemoSignInOpensThePageAsAnOperator() {
        try (Chromium.Tab tab = operatorPage(null)) {
            Page page = tab.page();
            assertThat(page.locator("#demo-user")).hasText("operator", WAIT);
            assertThat(page.locator("#notice")).hasText("up to date (refreshed every second)", WAIT);
            assertThat(page.locator("#config-sha256")).hasText(parts.liberty().config().getString("sha256"), WAIT);
            assertEquals(List.of(), page.evaluate("() => window.policyViolations"), "the page keeps the CSP");
        }
        HttpResponse<String> served = parts.liberty().send(HttpRequest.newBuilder(
                parts.liberty().httpUri("/operator.html")).GET().build());
        HttpResponse<String> userPage = parts.liberty().send(HttpRequest.newBuilder(parts.liberty().httpUri("/")).GET().build());
        assertEquals(200, served.statusCode());
        assertEquals(userPage.headers().firstValue("Content-Security-Policy"),
                served.headers().firstValue("Content-Security-Policy"), "the same policy as the user page");
    }
}
