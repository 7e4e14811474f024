// Type declarations for the environment check component (environment-check.js).
import type {CertBridge, Language} from '../certbridge.js';

/** One row of the check, as data (also on each <tr>: data-check, data-subject, data-status, data-code). */
export interface EnvironmentCheckRow {
  /** Kind of row: browser, pageLibrary, extension, host, os, pcsc, readers, reader, card, module, token, certificate, registration, environment, problem. */
  check: string;
  /** What the row is about when a kind can repeat (reader name, token label, module path). */
  subject?: string | null;
  group: 'software' | 'cards' | 'certificates' | 'problems';
  status: 'ok' | 'warning' | 'error' | 'unknown';
  /** What is wrong: a code of the shared error catalogue, with its details. */
  error?: {code: string; message?: string; fix?: string | null; [detail: string]: unknown} | null;
  /** "downloadHost": the row offers the host package for the user's OS (see `downloads`). */
  action?: 'downloadHost';
}

/** Where the portal offers the host package, per OS. */
export interface HostDownloads {
  windows?: string;
  macos?: string;
  linux?: string;
}

export interface EnvironmentCheckOptions {
  /** The page library's certbridge object. */
  certbridge: CertBridge;
  /** Language to start in; zh-TW by default. Any BCP 47 tag is mapped to a catalogue language. */
  language?: Language | string;
  /** Called when the user switches language with the component's own switch. */
  onLanguageChange?: (language: Language) => void;
  /** Level of the component's heading, 1-6 (default 2). */
  headingLevel?: number;
  /**
   * The host package for each OS, so "download and install" is a link: on a row saying the host is missing
   * (or too old) the page links the package for the OS it runs on (all of them when it cannot tell). Each
   * URL is https, or on the page's own origin (a relative URL resolves against the page). Anything else
   * (http elsewhere, javascript:, data:, a user name in the URL, an OS not listed here) makes
   * renderEnvironmentCheck throw a TypeError naming the option.
   */
  downloads?: HostDownloads;
}

export interface EnvironmentCheck {
  /** Settles with the rows of the first check. */
  readonly ready: Promise<EnvironmentCheckRow[]>;
  /** Checks again (what the "check again" button does). */
  refresh(): Promise<EnvironmentCheckRow[]>;
  /** Shows the same result in another language, without checking again. */
  setLanguage(language: Language | string): void;
  readonly language: Language;
  /** Rows of the last finished check; null while checking. */
  readonly rows: EnvironmentCheckRow[] | null;
  /** The plain-text report of the last check in the current language (what "copy report" copies); null while checking. */
  report(): string | null;
}

/**
 * Renders the environment check into `element` (replacing its content) and starts checking. The root
 * element fires a bubbling `certbridge-environment-check` event with `detail.rows` after every check.
 * @throws {TypeError} when `options.downloads` holds a link the page must not offer.
 */
export declare function renderEnvironmentCheck(element: HTMLElement, options: EnvironmentCheckOptions): EnvironmentCheck;
