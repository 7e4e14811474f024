// Reads the demo portal's card-flow pages (tests/demo-portal/public/card-flow.js) the way a user sees
// them: the steps, the status line, the error with its fix, the certificate tables. Works with a playwright
// page (Chromium) and a puppeteer page (Firefox).

/** Opens a flow page and waits until its frame (and the reader list) is there. */
export async function openFlowPage(page, url) {
  await page.goto(url);
  // The reader list and tables (or the failure to get them) settle within the library's own timeouts.
  await page.waitForSelector('body[data-ready]', {timeout: 30_000});
  return readFlow(page);
}

/** Everything the flow area and its tables show, as plain data. */
export function readFlow(page) {
  return page.evaluate(() => {
    const text = (node) => (node?.textContent ?? '').replace(/\s+/g, ' ').trim();
    const table = (id) => {
      const node = document.getElementById(id);
      if (!node) return null;
      return [...node.querySelectorAll('tbody tr')].map((row) => ({
        id: row.dataset.id?.toLowerCase(), serial: row.dataset.serial?.toUpperCase(), cells: [...row.children].map(text)}));
    };
    const error = document.getElementById('flow-error');
    return {
      language: document.documentElement.lang,
      title: text(document.querySelector('h1')),
      state: document.getElementById('flow')?.dataset.state,
      steps: [...document.querySelectorAll('#flow-steps li')].map((item) => ({step: item.dataset.step, status: item.dataset.status, text: text(item)})),
      status: text(document.getElementById('flow-status')),
      error: error && !error.hidden ? {
        code: error.dataset.code,
        message: text(error.querySelector('.flow-error__message')),
        fix: text(error.querySelector('.flow-error__fix')),
        unlockLink: error.querySelector('#unlock-link')?.getAttribute('href') ?? null,
      } : null,
      readers: [...document.querySelectorAll('#reader option')].map(text),
      readerNote: text(document.getElementById('reader-note')),
      details: text(document.getElementById('details')),
      issued: table('issued-certificates'),
      onCard: table('card-certificates'),
      raCertificates: table('ra-certificates'),
      cardFacts: text(document.getElementById('card-facts')),
      loginCertificate: text(document.getElementById('login-certificate')),
    };
  });
}

/**
 * Clicks a flow's button (by id); the flow then runs until done, error, or a window asks for a PIN. The
 * outcome of an earlier press is marked stale first, so flowOutcome() waits for this one.
 */
export async function press(page, id) {
  await page.evaluate(() => {
    document.getElementById('flow').dataset.state = 'pressed';
  });
  await page.click(`#${id}`);
}

/**
 * Waits until the status line starts with `prefix` (or one of several), polled often: progress lines can
 * be short-lived.
 */
export async function waitForStatus(page, prefix, {timeout = 30_000} = {}) {
  const prefixes = [prefix].flat();
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    const status = await page.evaluate(() => document.getElementById('flow-status')?.textContent ?? '');
    if (prefixes.some((start) => status.startsWith(start))) return status;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`the page never said "${prefix}..." within ${timeout} ms`);
}

/** Waits until the flow has ended (`done`, `error`, or the unlock page's `authorized`) and reads it. */
export async function flowOutcome(page, {timeout = 90_000} = {}) {
  await page.waitForSelector('#flow[data-state="done"], #flow[data-state="error"], #flow[data-state="authorized"]', {timeout});
  return readFlow(page);
}
