// The consent and PIN window: shows which site asks for what, takes the PINs the command needs, and talks
// only to the background, over one runtime port (consent_protocol.js lists the messages). PINs stay in
// this page's fields and go to the background in `confirm`; they are never put in the URL, in storage or
// in a log. Keyboard: focus starts in the first field, Enter confirms, Escape cancels.
// Key-store commands (software certificates) ask passwords and a PKCS#12 file instead (software_fields.js);
// the file is read here, from the user's pick, and goes to the background in `confirm` like a password.
//
// Text follows the browser's UI language (zh* -> zh-TW, else English), like the background's error text.

import {errorText, pickLanguage, uiMessage} from '../localization.js';
import {CONSENT_PORT_NAME} from './consent_protocol.js';
import {lengthOk, lengthRule, pinProblem, retryText, ruleText, stateText} from './pin_rules.js';
import {describeRequest} from './request_details.js';
import {fileProblem, PKCS12_ACCEPT, softwareFields, softwareRetry, toBase64} from './software_fields.js';

const api = globalThis.browser ?? globalThis.chrome;
const language = pickLanguage(api.i18n.getUILanguage());
/** @type {(key: string, params?: object) => string} */
const t = (key, params) => uiMessage(key, language, params);

const element = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
const main = /** @type {HTMLElement} */ (document.querySelector('main'));
const form = /** @type {HTMLFormElement} */ (element('form'));
const okButton = /** @type {HTMLButtonElement} */ (element('ok'));
const cancelButton = /** @type {HTMLButtonElement} */ (element('cancel'));
const message = element('message');
const status = element('status');

/**
 * One PIN input and what it is for; `state` shows the PIN's state (tries left), kept up to date after a
 * wrong PIN.
 * @typedef {{input: HTMLInputElement, role: 'pin'|'current'|'new'|'confirm'|'password'|'storePassword', pin: object, label: string,
 *            state: HTMLElement|null}} Field
 */

// loading -> asking <-> working -> finished (cancelling on the way out)
let state = 'loading';
/** @type {object|null} the background's `show` message */
let view = null;
/** @type {Field[]} */
let fields = [];
/** @type {{update: () => void}|null} the live checks of a new PIN */
let checks = null;
/** @type {HTMLInputElement|null} the PKCS#12 file picker, when the command takes a file */
let fileInput = null;

function setState(next) {
  state = next;
  main.dataset.state = next;
}

function setMessage(text) {
  message.textContent = text ?? '';
}

function setStatus(text) {
  status.textContent = text ?? '';
}

/** Closes this window; the background also closes it when the request ends. */
async function closeSelf() {
  try {
    const current = await api.windows.getCurrent();
    await api.windows.remove(current.id);
  } catch {
    window.close();
  }
}

const port = api.runtime.connect({name: CONSENT_PORT_NAME});

function post(payload) {
  try {
    port.postMessage(payload);
    return true;
  } catch {
    return false;
  }
}

// ---- static text ---------------------------------------------------------------------------------------

document.documentElement.lang = language;
document.title = t('consent.windowTitle');
element('origin-label').textContent = t('consent.requestFrom');
element('origin-note').textContent = t('consent.originNote');
element('details-heading').textContent = t('consent.detailsHeading');
element('keyboard-hint').textContent = t('consent.keyboardHint');
okButton.textContent = t('consent.button.ok');
cancelButton.textContent = t('consent.button.cancel');
setStatus(t('consent.loading'));

// ---- rendering -----------------------------------------------------------------------------------------

let nextId = 0;

/**
 * A labelled password field with its hints: the length rule and the PIN's state, as asked.
 * @param {Field['role']} role
 * @param {object} pin the PIN group (card_pins.js PinGroup)
 * @param {string} label
 * @param {{rule?: boolean, state?: boolean}} [hints]
 */
function addField(role, pin, label, {rule = false, state: withState = false} = {}) {
  const id = `pin-field-${nextId += 1}`;
  const wrapper = document.createElement('div');
  wrapper.className = 'consent__field';
  const labelElement = document.createElement('label');
  labelElement.htmlFor = id;
  labelElement.textContent = label;
  const input = document.createElement('input');
  input.id = id;
  input.type = 'password';
  input.autocomplete = 'off';
  input.spellcheck = false;
  input.setAttribute('autocapitalize', 'off');
  input.dataset.role = role;
  input.dataset.pinGroup = String(pin.group);
  const {max} = lengthRule(pin);
  input.maxLength = max;
  wrapper.append(labelElement, input);
  const described = [];
  const hint = (text) => {
    const paragraph = document.createElement('p');
    paragraph.className = 'consent__field-hint';
    paragraph.id = `${id}-hint-${described.length}`;
    paragraph.textContent = text ?? '';
    wrapper.append(paragraph);
    described.push(paragraph.id);
    return paragraph;
  };
  const ruleLine = rule ? ruleText(pin, t) : null;
  if (ruleLine) hint(ruleLine);
  // Present even when there is nothing to say yet: a wrong PIN fills it in.
  const stateLine = withState ? hint(null) : null;
  if (described.length) input.setAttribute('aria-describedby', described.join(' '));
  input.addEventListener('input', () => {
    input.removeAttribute('aria-invalid');
    checks?.update();
  });
  element('fields').append(wrapper);
  /** @type {Field} */
  const field = {input, role, pin, label, state: stateLine};
  showPinState(field, pin);
  fields.push(field);
  return field;
}

/** Shows a PIN group's state (tries left, final try ...) under its field. */
function showPinState(field, pin) {
  if (!field.state) return;
  field.state.textContent = stateText(pin, t) ?? '';
  field.state.classList.toggle('consent__state--warning', ['countLow', 'finalTry', 'locked'].includes(pin.state));
}

/**
 * New PIN (or new password) + confirmation, with the rules checked as the user types.
 * @param {object} pin the rules (a PIN group, or software_fields.js NEW_PASSWORD_RULE)
 * @param {{newLabel?: string, confirmLabel?: string, matchText?: string}} [words] a password's labels
 */
function addNewPinFields(pin, words = {}) {
  const newField = addField('new', pin, words.newLabel ?? t('consent.field.newPin', {pinName: pin.name}));
  const confirmField = addField('confirm', pin, words.confirmLabel ?? t('consent.field.confirmPin', {pinName: pin.name}));
  const list = document.createElement('ul');
  list.className = 'consent__checks';
  list.id = `pin-checks-${nextId += 1}`;
  const rule = ruleText(pin, t) ?? t('consent.rule.length', lengthRule(pin));
  const lengthItem = document.createElement('li');
  const matchItem = document.createElement('li');
  lengthItem.className = matchItem.className = 'consent__check';
  list.append(lengthItem, matchItem);
  confirmField.input.parentElement.append(list);
  for (const field of [newField, confirmField]) {
    const previous = field.input.getAttribute('aria-describedby');
    field.input.setAttribute('aria-describedby', [previous, list.id].filter(Boolean).join(' '));
  }
  const mark = (item, text, met) => {
    item.dataset.met = String(met);
    item.textContent = `${text}: ${met ? t('consent.check.met') : t('consent.check.notMet')}`;
  };
  checks = {
    update() {
      const value = newField.input.value;
      mark(lengthItem, rule, lengthOk(value, pin));
      mark(matchItem, words.matchText ?? t('consent.rule.match'), value !== '' && value === confirmField.input.value);
    },
  };
  checks.update();
}

function renderDetails() {
  const {title, rows} = describeRequest(view, t);
  element('title').textContent = title;
  const list = element('details');
  list.replaceChildren();
  for (const row of rows) {
    const term = document.createElement('dt');
    term.textContent = row.label;
    const definition = document.createElement('dd');
    for (const line of row.lines) {
      const paragraph = document.createElement('p');
      paragraph.textContent = line;
      definition.append(paragraph);
    }
    list.append(term, definition);
  }
  element('details-section').hidden = rows.length === 0;
}

/** The PKCS#12 file picker: a labelled <input type=file> (keyboard: Tab to it, Space or Enter opens it). */
function addFileField(spec) {
  const id = `file-field-${nextId += 1}`;
  const wrapper = document.createElement('div');
  wrapper.className = 'consent__field';
  const labelElement = document.createElement('label');
  labelElement.htmlFor = id;
  labelElement.textContent = spec.label;
  const input = document.createElement('input');
  input.id = id;
  input.type = 'file';
  input.accept = PKCS12_ACCEPT;
  input.dataset.role = 'file';
  input.addEventListener('change', () => input.removeAttribute('aria-invalid'));
  wrapper.append(labelElement, input);
  element('fields').append(wrapper);
  fileInput = input;
}

/** A key-store command's fields: the file, its password, a new password twice, the store's password. */
function renderSoftwareAsk(ask) {
  for (const spec of softwareFields(ask, t)) {
    if (spec.role === 'file') addFileField(spec);
    else if (spec.role === 'new') {
      addNewPinFields(spec.rule, {newLabel: spec.label, confirmLabel: t('consent.field.confirmFilePassword'),
        matchText: t('consent.rule.passwordMatch')});
    } else if (spec.role !== 'confirm') addField(spec.role, spec.rule, spec.label);
  }
}

function renderAsk() {
  const {ask, card} = view;
  element('fields').replaceChildren();
  fields = [];
  checks = null;
  fileInput = null;
  if (ask.kind === 'software') {
    renderSoftwareAsk(ask);
    return;
  }
  const pinOf = (group) => card.pins[group] ?? {group, name: 'PIN', minLength: null, maxLength: null, state: 'ok', triesLeft: null};
  switch (ask.kind) {
    case 'pins':
      for (const group of ask.groups) {
        const pin = pinOf(group);
        addField('pin', pin, t('consent.field.pin', {pinName: pin.name}), {rule: true, state: true});
      }
      break;
    case 'changePin': {
      const pin = pinOf(ask.group);
      addField('current', pin, t('consent.field.currentPin', {pinName: pin.name}), {state: true});
      addNewPinFields(pin);
      break;
    }
    case 'newPin':
      addNewPinFields(pinOf(ask.group));
      break;
    case 'pinPad': {
      const paragraph = document.createElement('p');
      paragraph.className = 'consent__pin-pad';
      paragraph.textContent = t('consent.pinPad');
      element('fields').append(paragraph);
      break;
    }
    case 'locked':
      showLocked();
      break;
    default:
      break;
  }
}

function show(next) {
  view = next;
  element('origin').textContent = view.origin;
  element('origin-box').hidden = false;
  // A key-store command involves no card: the title says so.
  document.title = `${t(view.store ? 'consent.windowTitleStore' : 'consent.windowTitle')} - ${view.origin}`;
  renderDetails();
  setStatus('');
  main.setAttribute('aria-busy', 'false');
  setState('asking');
  renderAsk();
  if (state === 'asking') (fileInput ?? fields[0]?.input ?? okButton).focus();
}

/** Nothing can be done here any more: only Close is left. */
function finish(text) {
  setState('finished');
  for (const field of fields) field.input.disabled = true;
  if (fileInput) fileInput.disabled = true;
  okButton.hidden = true;
  cancelButton.disabled = false;
  cancelButton.textContent = t('consent.button.close');
  // Enter has nothing left to confirm.
  element('keyboard-hint').hidden = true;
  setStatus('');
  setMessage(text);
  cancelButton.focus();
}

/** Only a message is left: the fields go (a disabled PIN field would still look like a question). */
function clearFields() {
  element('fields').replaceChildren();
  fields = [];
  checks = null;
  fileInput = null;
}

function showLocked() {
  // Locked now: no field, and so no "last try" or "tries left" line from an earlier wrong PIN, beside it.
  clearFields();
  finish(t('consent.state.locked'));
}

/** The request ended for a reason shown here (the card was pulled while the window waited). */
function showEnded(error) {
  clearFields();
  const text = errorText(error.code, language, error);
  finish(text ? `${text.message} ${text.fix}` : (error.message ?? error.code ?? ''));
}

// ---- the user's answer ---------------------------------------------------------------------------------

/** The first problem with what was typed (or picked): {field, text}, or null. */
function problem() {
  if (fileInput) {
    const text = fileProblem(fileInput.files?.[0], t);
    if (text) return {field: {input: fileInput}, text};
  }
  for (const field of fields) {
    if (field.role === 'confirm') {
      const newField = fields.find((candidate) => candidate.role === 'new');
      const mismatch = view.ask.kind === 'software' ? t('consent.error.passwordMismatch') : t('consent.error.mismatch');
      if (field.input.value !== newField.input.value) return {field, text: mismatch};
      continue;
    }
    const text = pinProblem(field.input.value, field.pin, t, field.label);
    if (text) return {field, text};
  }
  return null;
}

/** What the background adds to the request (card_pins.js secretsFromAnswer checks the same shape). */
function secrets() {
  const value = (role) => fields.find((field) => field.role === role)?.input.value;
  switch (view.ask.kind) {
    case 'pins': {
      const pins = new Array(Math.max(...view.ask.groups) + 1).fill(null);
      for (const field of fields) pins[field.pin.group] = field.input.value;
      return {pins};
    }
    case 'changePin':
      return {pin: value('current'), newPin: value('new')};
    case 'newPin':
      return {newPin: value('new')};
    case 'software':
      return softwareSecrets();
    default:
      return {};
  }
}

/**
 * A key-store command's secrets (software_secrets.js softwareSecretsFromAnswer checks the same shape); the
 * file is read now, so a file changed on disk since it was picked is sent as it is now.
 * @returns {Promise<object>}
 */
async function softwareSecrets() {
  const value = (role) => fields.find((field) => field.role === role)?.input.value;
  const {ask} = view;
  const answer = {};
  if (ask.file) answer.file = toBase64(new Uint8Array(await fileInput.files[0].arrayBuffer()));
  if (ask.password) answer.password = value('password');
  if (ask.newPassword) answer.newPassword = value('new');
  if (ask.storePassword) answer.storePassword = value('storePassword');
  return answer;
}

function setBusy(busy) {
  for (const field of fields) field.input.disabled = busy;
  if (fileInput) fileInput.disabled = busy;
  okButton.disabled = busy;
}

/** What the window says while the host works: the card's words, or the store's. */
const workingText = () => (view?.store ? t('consent.stage.workingStore') : t('consent.stage.working'));

function refuse(input, text) {
  input.setAttribute('aria-invalid', 'true');
  setMessage(text);
  input.focus();
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (state !== 'asking') return;
  const found = problem();
  if (found) {
    refuse(found.field.input, found.text);
    return;
  }
  // Busy while the file is read: a second Enter must not send twice.
  setState('reading');
  setBusy(true);
  let answer;
  try {
    answer = await secrets();
  } catch {
    setState('asking');
    setBusy(false);
    refuse(fileInput ?? okButton, t('consent.error.fileUnreadable'));
    return;
  }
  if (state !== 'reading') return;
  if (!post({type: 'confirm', secrets: answer})) return;
  setMessage('');
  setState('working');
  setStatus(workingText());
});

function cancel() {
  if (state === 'finished' || state === 'cancelling') {
    if (state === 'finished') void closeSelf();
    return;
  }
  setState('cancelling');
  setBusy(true);
  cancelButton.disabled = true;
  setStatus(t('consent.stage.cancelling'));
  // The background answers the page and closes this window; without a background, close it here.
  if (!post({type: 'cancel'})) void closeSelf();
}

cancelButton.addEventListener('click', cancel);
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape') {
    event.preventDefault();
    cancel();
  }
});

// ---- the background's messages -------------------------------------------------------------------------

function stageText(progress) {
  const pinName = typeof progress.pinName === 'string' ? progress.pinName : 'PIN';
  if (progress.stage === 'login' && progress.pinPad === true) return t('consent.pinPadNow', {pinName});
  const key = `consent.stage.${progress.stage}`;
  const text = t(key, {pinName, key: progress.key, keys: progress.keys});
  return text === key ? workingText() : text;
}

/**
 * A key-store command asks again: the store's password field appears (the store has one) or is emptied
 * (it was wrong), or the file's password is emptied; the other fields keep what the user gave.
 */
function retrySoftware(error, ask) {
  if (ask && typeof ask === 'object' && ask.kind === 'software') view.ask = ask;
  const again = softwareRetry(error, t);
  let field = again ? fields.find((candidate) => candidate.role === again.role) : undefined;
  if (!field && again?.role === 'storePassword' && view.ask.storePassword) {
    const [spec] = softwareFields({storePassword: true}, t);
    field = addField(spec.role, spec.rule, spec.label);
  }
  if (field) {
    field.input.value = '';
    refuse(field.input, again.text);
  } else {
    refuse(fields[0]?.input ?? okButton, errorText(error.code, language)?.message ?? error.message ?? error.code);
  }
}

/** The window asks again: the wrong PIN's field is emptied and focused. */
function retry(error, ask) {
  if (state === 'finished') return;
  setState('asking');
  setBusy(false);
  setStatus('');
  if (view.ask.kind === 'software') {
    retrySoftware(error, ask);
    return;
  }
  const group = Number.isInteger(error.pinGroup) ? error.pinGroup : undefined;
  let wrong;
  if (error.code === 'PIN_INCORRECT') {
    wrong = fields.filter((field) => (field.role === 'pin' && (group === undefined || field.pin.group === group)) || field.role === 'current');
  } else {
    wrong = fields.filter((field) => field.role === 'new' || (field.role === 'pin' && (group === undefined || field.pin.group === group)));
  }
  if (wrong.length === 0) wrong = fields.slice(0, 1);
  const pin = wrong[0]?.pin ?? view.card.pins[group ?? 0];
  for (const field of wrong) {
    if (error.code === 'PIN_INCORRECT') {
      field.input.value = '';
      // The card counted the wrong PIN: the state line says how many tries are left now.
      if (Number.isInteger(error.triesLeft)) {
        showPinState(field, {...field.pin, state: error.triesLeft === 1 ? 'finalTry' : 'countLow', triesLeft: error.triesLeft});
      }
    }
    field.input.setAttribute('aria-invalid', 'true');
  }
  checks?.update();
  setMessage(retryText(error, pin, t, (code) => errorText(code, language)?.message));
  (wrong[0]?.input ?? okButton).focus();
}

port.onMessage.addListener((incoming) => {
  if (!incoming || typeof incoming !== 'object') return;
  switch (incoming.type) {
    case 'show':
      if (state === 'loading') show(incoming);
      break;
    case 'working':
      break;
    case 'progress':
      if (state === 'working' || state === 'cancelling') setStatus(stageText(incoming.progress ?? {}));
      break;
    case 'retry':
      retry(incoming.error ?? {}, incoming.ask);
      break;
    case 'locked':
      showLocked();
      break;
    case 'ended':
      showEnded(incoming.error ?? {});
      break;
    case 'done':
      setState('finished');
      void closeSelf();
      break;
    default:
      break;
  }
});

port.onDisconnect.addListener(() => {
  // The request ended without this window (or before it connected): say so and offer Close.
  if (state !== 'finished') finish(t('consent.noRequest'));
});
