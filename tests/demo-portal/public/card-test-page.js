// A bare portal page for the browser tests of the consent window (tests/browser/consent.*.test.mjs): it
// calls the page library the way a portal does and records every message the page's own scripts can
// see, so a test can check that no PIN ever reaches the page.
//
//   window.cardTest.start(name, command, params)  starts a call (the consent window then opens)
//   window.cardTest.outcome(name)                  {ok, result, progress} or {ok: false, error, progress}
//   window.cardTest.seen                           JSON of every message event and postMessage call

/** Everything the page's scripts could observe: every message event, every postMessage the page makes. */
const seen = [];
const record = (data) => {
  try {
    seen.push(JSON.stringify(data));
  } catch {
    seen.push(String(data));
  }
};
// Capturing, and registered before the page library's: nothing reaches the page unrecorded.
window.addEventListener('message', (event) => record(event.data), true);
const postMessage = window.postMessage.bind(window);
window.postMessage = (data, ...rest) => {
  record(data);
  return postMessage(data, ...rest);
};

const state = document.getElementById('state');
const calls = new Map();

try {
  const {certbridge} = await import('/lib/certbridge.js');
  window.cardTest = {
    seen,
    /** Starts `certbridge[command](params)`; its outcome is kept under `name`. */
    start(name, command, params) {
      const progress = [];
      const options = {onProgress: (step) => progress.push(step)};
      calls.set(name, certbridge[command](params, options).then(
        (result) => ({ok: true, result, progress}),
        (error) => ({ok: false, error: typeof error?.toJSON === 'function' ? error.toJSON() : {code: 'THROWN', message: String(error)}, progress})));
    },
    /** The outcome of a started call (waits for it). */
    outcome(name) {
      return calls.get(name) ?? Promise.reject(new Error(`no call named ${name}`));
    },
  };
  state.textContent = 'ready';
  state.dataset.state = 'ready';
} catch (error) {
  state.textContent = `the page library could not be loaded: ${error}`;
  state.dataset.state = 'error';
}
