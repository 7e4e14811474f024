// Compiled by `npm run typecheck` only (never shipped): uses the declared API the way a portal would, so
// a declaration that cannot be used as documented fails the check.

import certbridgeDefault, {certbridge, CertBridgeError, type StatusResult} from './certbridge.js';

export async function portalExample(): Promise<string> {
  certbridge.setLanguage('en');
  certbridge.setLanguage(null);
  const language: 'zh-TW' | 'en' = certbridge.getLanguage();
  try {
    const status: StatusResult = await certbridge.status({timeoutMs: 5000});
    if (!status.compatible) return `${status.pageLibrary.version} ${status.extension?.version} ${status.host?.version}`;
    const controller = new AbortController();
    const pending = certbridge.request<{readers: {name: string}[]}>('listReaders', {}, {
      signal: controller.signal,
      onProgress: (progress) => console.info(progress.stage),
    });
    const cancelled: boolean = certbridge.cancel(pending.id);
    const readers = await pending;
    const environment = await certbridgeDefault.environment();
    return `${language} ${cancelled} ${readers.readers.map((reader) => reader.name).join()} ${environment.extension.version}`;
  } catch (error) {
    if (error instanceof CertBridgeError) {
      const triesLeft: number | undefined = error.details.triesLeft;
      const wire = error.toJSON();
      return `${error.code}: ${error.message} ${error.fix ?? ''} ${triesLeft ?? ''} ${wire.code} ${error.details.extension?.browser.name ?? ''}`;
    }
    throw error;
  }
}
