// Drives Debian's firefox-esr for rtcsound's Java integration tests (org.rtcsound.testing.Firefox),
// over WebDriver BiDi through puppeteer-core. Debian 12 has no geckodriver, and Playwright's
// Firefox is a patched build of its own, so neither can drive firefox-esr; BiDi is built in.
//
// One process, one browser. The browser's options are the one argument, as JSON:
//   {"executablePath": "/usr/bin/firefox-esr", "prefs": {"media.autoplay.default": 0, ...}}
// Then one request per line on stdin, one reply per line on stdout:
//   {"id": 1, "op": "open", "url": "https://..."}                 -> {"id": 1, "value": "1"} (a tab)
//   {"id": 2, "op": "evaluate", "tab": "1", "function": "(x) => x + 1", "arg": 1}
//                                                                  -> {"id": 2, "value": 2}
//   {"id": 3, "op": "click", "tab": "1", "selector": "#enable-sound"} (a real mouse click)
//   {"id": 4, "op": "console", "tab": "1"}   -> the tab's console lines so far, and its page errors
//   {"id": 5, "op": "screenshot", "tab": "1", "path": "/tmp/page.png"}
//   {"id": 6, "op": "close", "tab": "1"}
// A request that fails answers {"id": ..., "error": "..."}. The first line out is
// {"ready": true} once the browser runs. stdin closed: the browser closes and the process ends.
//
// A function is called with BiDi's script.callFunction, which the page's Content-Security-Policy
// (no eval) does not govern: the page never sees a string to eval.
import { createInterface } from 'node:readline';
import puppeteer from 'puppeteer-core';

const options = JSON.parse(process.argv[2] ?? '{}');

const browser = await puppeteer.launch({
  browser: 'firefox',
  executablePath: options.executablePath ?? '/usr/bin/firefox-esr',
  headless: true,
  acceptInsecureCerts: true, // the suite's Liberty has a self-signed certificate
  extraPrefsFirefox: options.prefs ?? {},
  protocolTimeout: 60_000,
});

const tabs = new Map();
let lastTab = 0;

function tab(id) {
  const found = tabs.get(id);
  if (!found) {
    throw new Error(`no tab ${id}`);
  }
  return found;
}

const operations = {
  async open({ url }) {
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    const console = [];
    page.on('console', (message) => console.push(message.text()));
    page.on('pageerror', (error) => console.push(`page error: ${error.message ?? error}`));
    const id = String(++lastTab);
    tabs.set(id, { context, page, console });
    await page.goto(url);
    return id;
  },
  async evaluate({ tab: id, function: source, arg }) {
    return callFunction(tab(id).page, source, arg ?? null);
  },
  async click({ tab: id, selector }) {
    // Where the element is, then a real mouse click there (BiDi input.performActions, which
    // gives the page a user activation). Not puppeteer's page.click: it finds the element
    // with its evaluate, whose end clears the activation the click has just given.
    const { page } = tab(id);
    const { x, y } = await callFunction(page, `(selector) => {
      const element = document.querySelector(selector);
      if (!element) throw new Error('no element matches ' + selector);
      element.scrollIntoView({ block: 'center', inline: 'center' });
      const box = element.getBoundingClientRect();
      return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
    }`, selector);
    await page.mouse.click(x, y);
  },
  async console({ tab: id }) {
    return tab(id).console;
  },
  async screenshot({ tab: id, path }) {
    await tab(id).page.screenshot({ path });
  },
  async close({ tab: id }) {
    const { context } = tab(id);
    tabs.delete(id);
    await context.close();
  },
};

/**
 * Calls the test's function in the page with one argument, both as JSON, through BiDi's
 * script.callFunction itself. Not puppeteer's evaluate: it passes userActivation: true, and
 * Firefox, honouring it, activates the page for the call and clears the activation after it,
 * so every call would hand a page what a blocked autoplay waits for, and take back what a
 * real click gave. (The browsing context's id, frame._id, is puppeteer's own field, not its
 * public API.) Numbers JSON cannot hold (-Infinity dB of silence, NaN) travel as
 * {"nonFinite": "-Infinity"}.
 */
async function callFunction(page, source, arg) {
  const functionDeclaration = `async (json) => {
    const value = await (${source})(JSON.parse(json));
    return JSON.stringify(value === undefined ? null : value,
      (key, v) => (typeof v === 'number' && !Number.isFinite(v) ? { nonFinite: String(v) } : v));
  }`;
  const { result } = await browser.connection.send('script.callFunction', {
    functionDeclaration,
    awaitPromise: true,
    target: { context: page.mainFrame()._id },
    arguments: [{ type: 'string', value: JSON.stringify(arg) }],
    resultOwnership: 'none',
    userActivation: false,
  });
  if (result.type === 'exception') {
    throw new Error(`in the page: ${result.exceptionDetails.text}`);
  }
  return JSON.parse(result.result.value);
}

function reply(message) {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

async function handle(line) {
  let request;
  try {
    request = JSON.parse(line);
    const operation = operations[request.op];
    if (!operation) {
      throw new Error(`unknown op ${request.op}`);
    }
    const value = await operation(request);
    reply({ id: request.id, value: value ?? null });
  } catch (e) {
    reply({ id: request?.id ?? null, error: String(e?.stack ?? e) });
  }
}

reply({ ready: true, version: await browser.version() });
const input = createInterface({ input: process.stdin });
let queue = Promise.resolve(); // one request at a time, in order
input.on('line', (line) => { queue = queue.then(() => handle(line)); });
input.on('close', async () => {
  await queue;
  await browser.close().catch(() => {});
  process.exit(0);
});
