// Putting text on the clipboard from a button: the asynchronous Clipboard API where the browser allows it
// (secure context, user gesture); false otherwise, and the caller shows the text selected for Ctrl+C.

/**
 * @param {string} text
 * @param {Navigator} [nav]
 * @returns {Promise<boolean>} whether the text is on the clipboard
 */
export async function copyText(text, nav = globalThis.navigator) {
  if (typeof nav?.clipboard?.writeText !== 'function') return false;
  try {
    await nav.clipboard.writeText(text);
    return true;
  } catch {
    // Refused (no permission, not focused, insecure context): the text area fallback takes over.
    return false;
  }
}
