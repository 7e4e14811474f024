// Type declarations for the CertBridge page library (certbridge.js).

/** A language of the message catalogue. */
export type Language = 'zh-TW' | 'en';

/**
 * An error code: a key of the "errors" object of extension/shared/messages.json, e.g.
 * "EXTENSION_UNAVAILABLE", "NATIVE_UNAVAILABLE", "ORIGIN_NOT_ALLOWED", "TIMEOUT", "USER_CANCELLED",
 * "PIN_INCORRECT".
 */
export type ErrorCode = string;

/** Commands a page may send (the "commands" of protocol.json, except "cancel"). */
export type Command = 'status' | 'environment' | 'listReaders' | (string & {});

/** A failed CertBridge call. */
export declare class CertBridgeError extends Error {
  constructor(code: ErrorCode, parts?: {message?: string; fix?: string | null; details?: Record<string, unknown>});
  readonly name: 'CertBridgeError';
  /** Stable error code. */
  readonly code: ErrorCode;
  /** What the user can do about it, in the current language (null for codes the catalogue lacks). */
  readonly fix: string | null;
  /**
   * Code-specific details, e.g. `triesLeft` (PIN_INCORRECT), `ckr` (PKCS11_ERROR), `timeoutMs` (TIMEOUT),
   * `extension` (NATIVE_UNAVAILABLE from status()/environment()), `host` (PROTOCOL_MISMATCH),
   * `reason` (English, for developers).
   */
  readonly details: Record<string, unknown> & {extension?: ExtensionInfo; host?: HostInfo; triesLeft?: number};
  /** The protocol's error object: {code, message, fix, ...details}. */
  toJSON(): Record<string, unknown> & {code: ErrorCode; message: string; fix: string | null};
}

/** The page library's own row. */
export interface PageLibraryInfo {
  version: string;
  protocol: number;
}

/** The extension's row, as the background reports it. */
export interface ExtensionInfo {
  version: string;
  browser: {name: string | null; version: string | null};
  protocol: number;
}

/** The host's row: its hello, plus whatever its status command adds. */
export interface HostInfo {
  name: string;
  version: string;
  protocol: number;
  [key: string]: unknown;
}

export interface StatusResult {
  pageLibrary: PageLibraryInfo;
  extension: ExtensionInfo | null;
  host: HostInfo | null;
  /** Whether the extension and the host speak the page library's protocol version. */
  compatible: boolean;
}

/** The host's environment report with the extension's and the page library's rows. */
export interface EnvironmentResult {
  pageLibrary: PageLibraryInfo;
  extension: ExtensionInfo;
  [key: string]: unknown;
}

export interface Reader {
  name: string;
  cardPresent?: boolean;
  atr?: string;
  [key: string]: unknown;
}

export interface ListReadersResult {
  readers: Reader[];
  [key: string]: unknown;
}

/** What the host reports while long work runs. */
export interface Progress {
  stage: string;
  [key: string]: unknown;
}

export interface RequestOptions {
  /** Overrides the command's timeout from protocol.json; on expiry the request is cancelled and rejects with TIMEOUT. */
  timeoutMs?: number;
  /** Called for each progress message. */
  onProgress?: (progress: Progress) => void;
  /** Aborting cancels the request, like certbridge.cancel(id). */
  signal?: AbortSignal;
}

/** A pending request: a promise that also carries its request id. */
export interface CertBridgeRequest<T> extends Promise<T> {
  readonly id: string;
}

export interface CertBridge {
  /** The page library's version. */
  readonly version: string;
  /** The protocol version it speaks. */
  readonly protocol: number;
  /** Languages of error text. */
  readonly languages: readonly Language[];
  /**
   * Chooses the language of error messages and fixes; null goes back to the page's own (`<html lang>`,
   * then navigator.language; zh-TW when neither says). Throws TypeError for other values.
   */
  setLanguage(language: Language | null): void;
  /** The language error text is given in now. */
  getLanguage(): Language;
  /**
   * Versions and compatibility. Works on any origin. Rejects with EXTENSION_UNAVAILABLE when the extension
   * does not answer, NATIVE_UNAVAILABLE (details.extension set) when the host is not installed.
   */
  status(options?: RequestOptions): Promise<StatusResult>;
  /** The full environment report (allowed origins only). */
  environment(options?: RequestOptions): Promise<EnvironmentResult>;
  /** Readers with their card state (allowed origins only). */
  listReaders(options?: RequestOptions): CertBridgeRequest<ListReadersResult>;
  /** Sends any page command. */
  request<T = unknown>(command: Command, params?: Record<string, unknown>, options?: RequestOptions): CertBridgeRequest<T>;
  /**
   * Stops a pending request; it then rejects with USER_CANCELLED (or resolves if the work had already
   * finished). Returns whether such a request was pending.
   */
  cancel(id: string): boolean;
}

export declare const certbridge: CertBridge;
export default certbridge;
