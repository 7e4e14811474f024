// What every flow page of the demo portal shares inside the frame the server renders (layout.mjs: head,
// navigation, footer): the language switch, the page library, the reader choice, the RA API, and one
// "flow" area that shows the steps, what is happening, the outcome and, for a failure, CertBridge's own
// message and fix (in the page's language) or the RA's reason.
//
// What the browser tests read (tests/browser/harness/portal-page.mjs):
//   #flow[data-state]            idle | working | done | error
//   #flow-steps li[data-step]    data-status: pending | active | done | failed
//   #flow-status                 what is happening / the outcome, in words
//   #flow-error[data-code]       message, fix and code of a failure (CertBridge error code or RA code)
//   #flow-result                 the flow's result (certificates as a table)
//   body[data-ready]             the page has loaded what it shows first (readers, tables)
import {applyLanguage, currentLanguage, mountLanguageSwitch, portalText} from './portal.js';

const language = currentLanguage();
export const t = (key, params = {}) =>
  portalText(language, key).replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));

const element = (tag, attributes = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === 'text') node.textContent = value;
    else if (value !== null && value !== undefined && value !== false) node.setAttribute(name, value === true ? '' : value);
  }
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
};
export {element};

/** A failure from the RA API: `code` is a key of the portal texts ("ra.error.<code>"). */
export class PortalError extends Error {
  constructor(code, detail = '') {
    super(`${code}${detail ? `: ${detail}` : ''}`);
    this.code = code;
    this.detail = detail;
  }
}

/** Calls the RA's JSON API. */
export async function api(method, path, body) {
  let response;
  try {
    response = await fetch(path, {
      method,
      headers: body ? {'content-type': 'application/json'} : {},
      body: body ? JSON.stringify(body) : undefined,
    });
  } catch (error) {
    throw new PortalError('RA_UNREACHABLE', String(error));
  }
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new PortalError(answer.error?.code ?? 'RA_INTERNAL', answer.error?.detail ?? `HTTP ${response.status}`);
  return answer;
}

/**
 * Builds the page's frame and returns the pieces a flow needs.
 * @param {{flow: string, steps: string[], readers?: boolean}} options steps: keys under flow.step.*
 */
export async function startFlowPage({flow, steps, readers = true}) {
  const main = document.getElementById('main');
  const details = element('div', {id: 'details', class: 'flow-details'});
  const readerSelect = element('select', {id: 'reader'});
  const readerNote = element('p', {id: 'reader-note', class: 'flow-note'});
  const readerBox = readers ? element('div', {class: 'flow-reader'},
    element('label', {for: 'reader', 'data-text': 'flow.reader.label'}), readerSelect, readerNote) : null;
  const actions = element('div', {id: 'actions', class: 'flow-actions'});
  const stepList = element('ol', {id: 'flow-steps', class: 'flow-steps'},
    ...steps.map((step) => element('li', {'data-step': step, 'data-status': 'pending', 'data-text': `flow.step.${step}`})));
  const status = element('p', {id: 'flow-status', class: 'flow-status', role: 'status'});
  const errorBox = element('div', {id: 'flow-error', class: 'portal-error flow-error', role: 'alert', hidden: true},
    element('p', {class: 'flow-error__message'}), element('p', {class: 'flow-error__fix'}), element('p', {class: 'flow-error__code'}));
  const result = element('div', {id: 'flow-result', class: 'flow-result'});
  const flowBox = element('section', {id: 'flow', class: 'portal-panel flow', 'data-state': 'idle', 'aria-live': 'polite'},
    stepList, status, errorBox, result);
  // Pages without a reader (the key-store flows) have no reader box.
  main.replaceChildren(...[
    element('h1', {'data-text': `flow.${flow}.title`}),
    element('p', {class: 'portal-lead', 'data-text': `flow.${flow}.lead`}),
    details, readerBox, actions, flowBox].filter(Boolean));

  const switcher = document.querySelector('.portal-language');
  mountLanguageSwitch(switcher, (next) => {
    // Texts built from data (tables, results) are in the language of the page load: reload in the other one.
    const url = new URL(location.href);
    if (next === 'zh-TW') url.searchParams.delete('lang');
    else url.searchParams.set('lang', next);
    location.assign(url);
  });
  applyLanguage(language);
  switcher.setAttribute('aria-label', portalText(language, 'portal.languageLabel'));

  let certbridge = null;
  try {
    ({certbridge} = await import('/lib/certbridge.js'));
    certbridge.setLanguage(language);
  } catch (error) {
    console.error('page library missing:', error);
  }

  const view = {
    certbridge,
    details,
    actions,
    result,
    readerSelect,
    setState(state) {
      flowBox.dataset.state = state;
    },
    /** Marks a step; the earlier ones are done. */
    step(name, stepStatus = 'active') {
      let before = true;
      for (const item of stepList.children) {
        if (item.dataset.step === name) {
          item.dataset.status = stepStatus;
          before = false;
        } else if (before && item.dataset.status !== 'done') {
          item.dataset.status = 'done';
        }
      }
    },
    /** The page has shown what it loads first (tests wait for this). */
    ready() {
      document.body.dataset.ready = 'true';
    },
    say(key, params) {
      status.textContent = t(key, params);
    },
    begin() {
      errorBox.hidden = true;
      errorBox.removeAttribute('data-code');
      result.replaceChildren();
      for (const item of stepList.children) item.dataset.status = 'pending';
      flowBox.dataset.state = 'working';
    },
    done(key, params) {
      for (const item of stepList.children) if (item.dataset.status !== 'done') item.dataset.status = 'done';
      status.textContent = t(key, params);
      flowBox.dataset.state = 'done';
    },
    /** Shows a failure: CertBridge's text and fix, or the RA's reason; the running step is marked failed. */
    fail(error) {
      for (const item of stepList.children) if (item.dataset.status === 'active') item.dataset.status = 'failed';
      showError(errorBox, error);
      status.textContent = t('flow.failed');
      flowBox.dataset.state = 'error';
    },
    /** The reader to use: the one chosen, or the host's default (first reader with a supported card). */
    reader() {
      return readerSelect.value || undefined;
    },
    /** Lists the readers into the chooser; a failure (no extension, no host, no reader ...) is shown at once. */
    async loadReaders() {
      if (!certbridge) return view.fail(new PortalError('LIBRARY_MISSING'));
      try {
        const {readers: found} = await certbridge.listReaders();
        readerSelect.replaceChildren(...found.map((reader) => element('option', {value: reader.name,
          text: `${reader.name} - ${t(reader.cardPresent ? 'flow.reader.card' : 'flow.reader.noCard')}`})));
        const withCard = found.find((reader) => reader.cardPresent);
        if (withCard) readerSelect.value = withCard.name;
        readerNote.textContent = found.length === 0 ? t('flow.reader.none') : withCard ? '' : t('flow.reader.insertCard');
        return found;
      } catch (error) {
        view.fail(error);
        return null;
      }
    },
  };
  return view;
}

function showError(box, error) {
  const [message, fix, code] = box.children;
  const code_ = String(error?.code ?? 'RA_INTERNAL');
  box.dataset.code = code_;
  if (error?.name === 'CertBridgeError') {
    // The page library's catalogue text, in the page's language; tries left when the card tells.
    message.textContent = error.message + (code_ === 'PIN_INCORRECT' && Number.isInteger(error.details?.triesLeft)
      ? ` ${t('flow.triesLeft', {triesLeft: error.details.triesLeft})}` : '');
    fix.textContent = error.fix ?? '';
    if (code_ === 'PIN_LOCKED') {
      fix.replaceChildren(`${error.fix ?? ''} `, element('a', {href: language === 'zh-TW' ? '/unlock' : `/unlock?lang=${language}`,
        id: 'unlock-link', text: t('flow.unlockLink')}));
    }
  } else {
    message.textContent = portalText(language, `ra.error.${code_}`) === `ra.error.${code_}` ? t('ra.error.RA_INTERNAL') : t(`ra.error.${code_}`);
    fix.textContent = error?.detail ? t('flow.detail', {detail: error.detail}) : '';
  }
  code.textContent = t('flow.errorCode', {code: code_});
  box.hidden = false;
}

/** A table of certificates (RA records or card objects). */
export function certificateTable(certificates, {caption, id = null, selectable = false} = {}) {
  const head = element('tr', {}, ...(selectable ? [element('th', {scope: 'col', text: t('flow.column.select')})] : []),
    ...['usage', 'subject', 'serial', 'notAfter', 'status'].map((column) => element('th', {scope: 'col', text: t(`flow.column.${column}`)})));
  const rows = certificates.map((certificate) => {
    const usage = Array.isArray(certificate.usage) ? certificate.usage.join('+') : certificate.usage;
    const box = selectable ? element('input', {type: 'checkbox', value: certificate.id, 'aria-label': certificate.serialNumber,
      checked: certificate.status === 'issued' ? true : null}) : null;
    return element('tr', {'data-id': certificate.id, 'data-serial': certificate.serialNumber},
      ...(selectable ? [element('td', {}, box)] : []),
      element('td', {text: t(`flow.usage.${usage}`) === `flow.usage.${usage}` ? usage : t(`flow.usage.${usage}`)}),
      element('td', {text: certificate.subject}),
      element('td', {class: 'flow-mono', text: certificate.serialNumber}),
      element('td', {text: certificate.notAfter.slice(0, 10)}),
      element('td', {text: certificate.status ? t(`flow.status.${certificate.status}`) : t(certificate.valid ? 'flow.status.valid' : 'flow.status.expired')}));
  });
  return element('table', {class: 'flow-table', id},
    caption ? element('caption', {text: caption}) : null, element('thead', {}, head), element('tbody', {}, ...rows));
}

/** What the RA registered for the applicant (apply pages, card and key store alike). */
export function registrationFacts(registration) {
  return element('dl', {class: 'flow-facts'},
    element('dt', {text: t('flow.apply.applicant')}), element('dd', {id: 'applicant', text: `${registration.subscriber.name} (${registration.subscriber.id})`}),
    element('dt', {text: t('flow.apply.subject')}), element('dd', {id: 'subject', text: registration.subjectText}),
    element('dt', {text: t('flow.apply.certificates')}), element('dd', {text: registration.keys
      .map((key) => `${t(`flow.usage.${key.usage}`)} (RSA ${key.keySize})`).join(', ')}),
    element('dt', {text: t('flow.apply.validity')}), element('dd', {text: t('flow.years', {years: registration.validityYears})}));
}

/** The terms checkbox in its paragraph: {paragraph, checkbox}. */
export function termsCheckbox() {
  const checkbox = element('input', {type: 'checkbox', id: 'terms'});
  const paragraph = element('p', {class: 'flow-terms'}, checkbox, ' ', element('label', {for: 'terms', text: t('flow.apply.terms')}));
  return {paragraph, checkbox};
}

/** The newly issued certificates among the RA's records, as the apply pages show them when done. */
export function issuedCertificateTable(records, issued) {
  return certificateTable(records.filter((c) => issued.certificates.some((i) => i.id === c.id)),
    {caption: t('flow.apply.issued'), id: 'issued-certificates'});
}

/** The RA's current (not renewed) certificates to choose from, or `none` when there are none. */
export function certificateChoice(certificates, {caption, none}) {
  const current = certificates.filter((certificate) => certificate.status !== 'renewed');
  return current.length ? certificateTable(current, {caption, id: 'ra-certificates', selectable: true}) : none;
}

/** The ids ticked in a certificateChoice table. */
export function chosenIds(container) {
  return [...container.querySelectorAll('input[type="checkbox"]:checked')].map((box) => box.value);
}

/** A button in the actions area. */
export function actionButton(view, {id, key, onClick}) {
  const button = element('button', {type: 'button', id, class: 'portal-button', 'data-text': key, text: t(key)});
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      await onClick();
    } finally {
      button.disabled = false;
    }
  });
  view.actions.append(button);
  return button;
}

/** Progress from the host, in words ("generating key 1 of 2"). */
export function progressSay(view) {
  return (progress) => {
    const key = `flow.progress.${progress.stage}`;
    if (portalText(language, key) !== key) view.say(key, progress);
  };
}
