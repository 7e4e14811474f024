// The consent window and the background talk over one runtime port, opened by the window. What each side
// sends is listed here, where both import it from; nothing else crosses (no storage, no URL but the
// session's random id, which carries no secret: a PIN only ever travels window -> background, in `confirm`).
//
// background -> window
//   {type: "show", origin, command, params, card, ask}  first, at once: what to show and what to ask
//                                                     (card_pins.js: CardFacts, PinAsk); params are the page's
//   {type: "show", origin, command, params, card: null, store: {kind: "software"}, ask}
//                                                     a key-store command: no card; ask is software_secrets.js
//                                                     SoftwareAsk (passwords, a PKCS#12 file)
//   {type: "working"}                                 the host has the request (after confirm)
//   {type: "progress", progress: {stage, ...}}        the host's progress (commands.md)
//   {type: "retry", error: {code, message, triesLeft?, pinGroup?, pinName?}}
//                                                     PIN_INCORRECT / PIN_POLICY: the user may type again
//   {type: "retry", error: {code, passwordGiven?}, ask}  STORE_PASSWORD_INCORRECT / PKCS12_PASSWORD_INCORRECT:
//                                                     asks again, for `ask` (now with the store's password)
//   {type: "locked", error}                           PIN_LOCKED: the page has the error; the window stays to say so
//   {type: "ended", error}                            CARD_REMOVED while the window waited: the page has the
//                                                     error; the window turns into it, with one Close button
//   {type: "done"}                                    the request ended (the background also closes the window)
// window -> background
//   {type: "confirm", secrets}                        OK: {pins: [...]}, {pin, newPin}, {newPin} or {} (card_pins.js);
//                                                     key store: {storePassword?, file?, password?, newPassword?}
//                                                     (file: base64 of the PKCS#12 file the user picked here)
//   {type: "cancel"}                                  Cancel or Escape; closing the window (port gone) means the same

/** Port name (the namespace is protocol.json's; the window does not load protocol.js for one word). */
export const CONSENT_PORT_NAME = 'certbridge-consent';

/** The window's page, relative to the extension root. */
export const CONSENT_PAGE = 'consent/consent.html';

/** Query parameter naming the window's session (a random id). */
export const SESSION_PARAMETER = 'session';
