// A browser window as far as window.postMessage goes: messages are structured-cloned and delivered
// asynchronously as "message" events with the window's origin and itself as the source.

export class FakeWindow extends EventTarget {
  constructor(origin = 'https://ra.certbridge.example') {
    super();
    this.location = {origin};
    /** Every postMessage call: {data, targetOrigin}. */
    this.posted = [];
  }

  postMessage(data, targetOrigin) {
    this.posted.push({data: structuredClone(data), targetOrigin});
    if (targetOrigin !== '*' && targetOrigin !== this.location.origin) return;
    const copy = structuredClone(data);
    setImmediate(() => this.deliver(copy));
  }

  /** Dispatches a message event as if posted by `source` from `origin` (defaults: this window). */
  deliver(data, {origin = this.location.origin, source = this} = {}) {
    const event = new Event('message');
    Object.defineProperties(event, {
      data: {value: data},
      origin: {value: origin},
      source: {value: source},
    });
    this.dispatchEvent(event);
  }

  /** Calls `handler(data)` for every message posted in this window whose `dir` is `dir`. */
  onPosted(dir, handler) {
    const listener = (event) => {
      if (event.data?.dir === dir) handler(event.data, event);
    };
    this.addEventListener('message', listener);
    return () => this.removeEventListener('message', listener);
  }
}

/** Resolves after pending immediates (message deliveries) have run. */
export function settle(rounds = 3) {
  let promise = Promise.resolve();
  for (let i = 0; i < rounds; i += 1) promise = promise.then(() => new Promise((resolve) => setImmediate(resolve)));
  return promise;
}
