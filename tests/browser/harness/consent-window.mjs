// The consent window the way a user meets it: found among the extension's open pages, read as text
// (origin, title, details, fields with their hints, messages), typed into and answered with the keyboard.
// Works with a playwright page (Chromium) and a puppeteer page (Firefox) alike.

const CONSENT_PATH = '/consent/consent.html';

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits for a consent window that is not one of `known` (pages handled before) and is ready to show.
 * @param {{extensionPages: () => Promise<object[]>}} session
 * @param {{known?: Set<object>, timeout?: number}} [options]
 */
export async function waitForConsentWindow(session, {known = new Set(), timeout = 30_000} = {}) {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    for (const page of await session.extensionPages()) {
      if (known.has(page)) continue;
      const href = await page.evaluate(() => location.href).catch(() => '');
      if (!href.includes(CONSENT_PATH)) continue;
      known.add(page);
      await page.waitForSelector('main[data-state]:not([data-state="loading"])', {timeout: Math.max(1_000, deadline - Date.now())});
      return page;
    }
    await pause(100);
  }
  throw new Error(`no consent window opened within ${timeout} ms`);
}

/** Everything the window shows, as plain data. */
export function readConsent(page) {
  return page.evaluate(() => {
    const text = (node) => (node?.textContent ?? '').replace(/\s+/g, ' ').trim();
    const main = document.querySelector('main');
    const details = [];
    for (const term of document.querySelectorAll('#details dt')) {
      details.push({label: text(term), lines: [...term.nextElementSibling.querySelectorAll('p')].map(text)});
    }
    const active = document.activeElement;
    return {
      url: location.href,
      state: main.dataset.state,
      language: document.documentElement.lang,
      documentTitle: document.title,
      origin: text(document.getElementById('origin')),
      originLabel: text(document.getElementById('origin-label')),
      title: text(document.getElementById('title')),
      details,
      fields: [...document.querySelectorAll('#fields input')].map((input) => ({
        label: text(document.querySelector(`label[for="${input.id}"]`)),
        type: input.type,
        disabled: input.disabled,
        invalid: input.getAttribute('aria-invalid') === 'true',
        filled: input.value.length > 0,
        hints: (input.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean)
          .map((id) => text(document.getElementById(id))).filter(Boolean),
      })),
      checks: [...document.querySelectorAll('.consent__check')].map((item) => ({text: text(item), met: item.dataset.met === 'true'})),
      fieldsText: text(document.getElementById('fields')),
      message: text(document.getElementById('message')),
      status: text(document.getElementById('status')),
      okVisible: !document.getElementById('ok').hidden,
      okText: text(document.getElementById('ok')),
      cancelText: text(document.getElementById('cancel')),
      focused: active?.id ?? null,
      focusedLabel: active?.id ? text(document.querySelector(`label[for="${active.id}"]`)) || text(active) : null,
    };
  });
}

/** The selector of the n-th PIN field (0-based), in the order the window shows them. */
export const pinField = (index) => `#fields .consent__field:nth-child(${index + 1}) input`;

/** Types into the n-th PIN field, as a user does (key by key). */
export async function typePin(page, index, value) {
  await page.focus(pinField(index));
  await page.keyboard.type(value);
}

/**
 * Presses a key in the window. Escape (and Enter, when the answer is quick) can make the background close
 * the window between key down and key up; that is success, not an error.
 */
export function pressKey(page, key) {
  return closingIsFine(page.keyboard.press(key));
}

/** Clicks in the window (Cancel closes it before the click has fully happened). */
export function click(page, selector) {
  return closingIsFine(page.click(selector));
}

async function closingIsFine(action) {
  try {
    await action;
  } catch (error) {
    if (!/closed|detached|no such frame|not found|discarded/i.test(String(error?.message))) throw error;
  }
}

/** Waits until the window is in `state` (asking, working, finished ...). */
export function waitForState(page, state, timeout = 30_000) {
  return page.waitForSelector(`main[data-state="${state}"]`, {timeout});
}

/** Waits until the message line (errors, wrong PIN) says something. */
export async function waitForMessage(page, timeout = 30_000) {
  await page.waitForSelector('#message:not(:empty)', {timeout});
  return readConsent(page);
}

/** Waits until the window has gone (the background closes it when the request ends). */
export async function waitForClosed(page, timeout = 30_000) {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    if (page.isClosed()) return;
    // Firefox: a page of a removed window may not report itself closed at once; it stops answering.
    const alive = await Promise.race([page.evaluate(() => true).catch(() => false), pause(1_000).then(() => false)]);
    if (!alive) return;
    await pause(100);
  }
  throw new Error(`the consent window was still open after ${timeout} ms`);
}

/** Horizontal overflow of the window's document in CSS pixels (0: nothing is cut off or scrolls sideways). */
export function horizontalOverflow(page) {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

/**
 * Answers the next consent window as a user does: types one PIN per field (in order) and presses Enter,
 * then waits until the window has gone. Returns what the window showed before it was answered.
 * @param {{extensionPages: () => Promise<object[]>}} session
 * @param {{known?: Set<object>, pins: string[]}} options
 */
export async function answerWithPins(session, {known = new Set(), pins}) {
  const window = await waitForConsentWindow(session, {known});
  const shown = await readConsent(window);
  for (const [index, value] of pins.entries()) await typePin(window, index, value);
  await pressKey(window, 'Enter');
  await waitForClosed(window);
  return shown;
}

/** The window's file picker (key-store commands that read a PKCS#12 file). */
export const FILE_FIELD = '#fields input[type="file"]';

/**
 * Gives the window's file picker a file, as a user choosing it in the dialog does: playwright's
 * setInputFiles (Chromium), puppeteer's uploadFile (Firefox).
 */
export async function pickFile(page, filePath) {
  if (typeof page.setInputFiles === 'function') {
    await page.setInputFiles(FILE_FIELD, filePath);
    return;
  }
  const input = await page.$(FILE_FIELD);
  await input.uploadFile(filePath);
}

/** Types into the window's field with this label (key by key), after focusing it as Tab would. */
export async function typeInto(page, label, value) {
  const id = await page.evaluate((wanted) => {
    const labelElement = [...document.querySelectorAll('#fields label')].find((node) => node.textContent.trim() === wanted);
    return labelElement?.htmlFor ?? null;
  }, label);
  if (!id) throw new Error(`the window has no field labelled "${label}"`);
  await page.focus(`#${id}`);
  await page.keyboard.type(value);
}
