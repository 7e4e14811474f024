// Type declarations for the CertBridge page library (certbridge.js).

/** A language of the message catalogue. */
export type Language = 'zh-TW' | 'en';

/**
 * An error code: a key of the "errors" object of extension/shared/messages.json (the catalogue). The build
 * writes this union from the catalogue (extension/cmake/assemble.cmake); tests/unit/extension fails when the
 * copy here drifts from it.
 */
// BEGIN ErrorCode (generated from extension/shared/messages.json)
export type ErrorCode =
  | 'BAD_REQUEST' | 'BUSY' | 'CARD_LOCK_UNAVAILABLE' | 'CARD_NOT_INITIALIZED' | 'CARD_NOT_SUPPORTED'
  | 'CARD_REMOVED' | 'CERTIFICATE_KEY_MISMATCH' | 'EXTENSION_UNAVAILABLE' | 'INTERNAL_ERROR'
  | 'KEY_NOT_FOUND' | 'MESSAGE_TOO_LARGE' | 'NATIVE_UNAVAILABLE' | 'NO_CARD' | 'NO_CERTIFICATES_ON_CARD'
  | 'NO_READER' | 'ORIGIN_NOT_ALLOWED' | 'OS_STORE_NOT_SUPPORTED' | 'PCSC_ERROR' | 'PCSC_UNAVAILABLE'
  | 'PIN_INCORRECT' | 'PIN_LOCKED' | 'PIN_POLICY' | 'PKCS11_ERROR' | 'PKCS11_MODULE_FAILED'
  | 'PKCS11_MODULE_UNAVAILABLE' | 'PKCS12_FILE_INVALID' | 'PKCS12_PASSWORD_INCORRECT' | 'PROTOCOL_MISMATCH'
  | 'SO_PIN_LOCKED' | 'STORE_ERROR' | 'STORE_PASSWORD_INCORRECT' | 'TIMEOUT' | 'TOKEN_NOT_FOUND'
  | 'UNBLOCK_AUTHORIZATION_INVALID' | 'UNBLOCK_UNAVAILABLE' | 'UNKNOWN_COMMAND' | 'USER_CANCELLED';
// END ErrorCode

/** Commands a page may send (the "commands" of protocol.json, except "cancel"). */
export type Command =
  | 'status' | 'environment' | 'listReaders' | 'listCertificates' | 'generateKeyPair' | 'writeCertificates'
  | 'signRenewal' | 'authenticate' | 'changePin' | 'unblockRequest' | 'unblockPin' | 'removeKeys' | 'registerCertificates'
  | 'unregisterCertificates' | 'generateSoftwareKey' | 'installCertificates' | 'exportPkcs12' | 'importPkcs12'
  | 'changePkcs12Password' | (string & {});

/** A failed CertBridge call. */
export declare class CertBridgeError extends Error {
  constructor(code: ErrorCode, parts?: {message?: string; fix?: string | null; details?: Record<string, unknown>});
  readonly name: 'CertBridgeError';
  /** Stable error code. */
  readonly code: ErrorCode;
  /** What the user can do about it, in the current language (null for codes the catalogue lacks). */
  readonly fix: string | null;
  /**
   * Code-specific details, e.g. `triesLeft`, `pinGroup`, `pinName` (PIN_INCORRECT, PIN_LOCKED), `ckr`
   * (PKCS11_ERROR), `timeoutMs` (TIMEOUT), `extension` (NATIVE_UNAVAILABLE from status()/environment()),
   * `host` (PROTOCOL_MISMATCH), `field` (BAD_REQUEST: `"params.keys[1].usage"`), `index`
   * (CERTIFICATE_KEY_MISMATCH), `reason` (English, for developers; for UNBLOCK_AUTHORIZATION_INVALID one of
   * UnblockInvalidReason).
   */
  readonly details: Record<string, unknown> & {
    extension?: ExtensionInfo;
    host?: HostInfo;
    triesLeft?: number;
    pinGroup?: number;
    pinName?: string;
    field?: string;
    index?: number;
    ckr?: string;
    reason?: string;
    /** The OS a fix with steps per OS was chosen for ("windows" | "linux" | "macos"; e.g. PCSC_UNAVAILABLE). */
    os?: string;
    /** NATIVE_UNAVAILABLE: "forbidden" when the host is installed but the browser may not start it for us. */
    cause?: string;
  };
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
  /** The allowed-origin policy in force: in environment() results only (allowed pages). */
  policy?: PolicyReport;
}

/** What the extension made of the enterprise policy (storage.managed) over its built-in list. */
export interface PolicyReport {
  /** Whether enterprise policy set anything. */
  managed: boolean;
  /** How the policy's origins combine with the built-in list. */
  mode: 'extend' | 'replace';
  /** Whether plain http on loopback (127.0.0.1, localhost; never [::1], see INTEGRATION.md) may be allowed. */
  allowLoopbackHttp: boolean;
  /** Policy entries that were ignored, each with the reason (English, for IT). */
  ignored: Array<{entry: string; reason: string}>;
  /** The keys storage.managed holds, sorted. */
  keys: string[];
  /**
   * Browser policy files (Linux: the host reads them) setting keys for this extension that the browser did not
   * pass on (dropped as not fitting the schema): `keys` are the dropped ones. Absent in status() and on error.
   */
  droppedFiles?: Array<{browser: string; path: string; keys: string[]}>;
  /** Browser policy files the browser ignores whole (not JSON, unreadable), with why. */
  brokenFiles?: Array<{browser: string; path: string; error: string}>;
}

/** One host setting in force and its sources, the one that wins first. */
export interface HostPolicySetting<T> {
  value: T;
  /** "HKLM policy", "HKCU policy", "config file" or "built-in defaults". */
  from: string[];
}

/** Which host policy is in force and from where (environment() only). */
export interface HostPolicyReport {
  /** Every source read, the one that wins first; location: registry key or file path (null: built in). */
  sources: Array<{name: string; location: string | null}>;
  allowedOrigins: HostPolicySetting<string[]>;
  /** The card profiles' ids. */
  cardProfiles: HostPolicySetting<string[]>;
  logLevel: HostPolicySetting<string>;
  /** Values the host ignored, each with the reason (English, for IT). */
  problems: Array<{source: string; entry: string; reason: string}>;
  /**
   * The Chromium browsers' managed policy files (Linux) that name one of our extension IDs, with the keys each
   * sets for it, or that the browser cannot read (error). Empty on Windows and macOS.
   */
  browserPolicyFiles: Array<{browser: 'chrome' | 'chromium' | 'edge'; path: string; extensions: Record<string, string[]>; error: string | null}>;
}

/** The host's row: its hello, plus whatever its status command adds. */
export interface HostInfo {
  name: string;
  version: string;
  protocol: number;
  /** The host's policy in force: in environment() results only. */
  policy?: HostPolicyReport;
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

/** generateKeyPair's progress; `key` counts from 1 to `keys`. */
export type GenerateKeyPairProgress =
  | {stage: 'login'}
  | {stage: 'generatingKey'; key: number; keys: number}
  | {stage: 'creatingRequest'; key: number; keys: number};

/** writeCertificates' progress. */
export type WriteCertificatesProgress = {stage: 'login'} | {stage: 'writing'} | {stage: 'removing'};

/** `P`: the progress messages of the command (see its function). */
export interface RequestOptions<P = Progress> {
  /**
   * Overrides the command's timeout from protocol.json; on expiry the request is cancelled and rejects with
   * TIMEOUT. The time the extension's consent and PIN window waits for the user does not count.
   */
  timeoutMs?: number;
  /** Called for each progress message. */
  onProgress?: (progress: P) => void;
  /**
   * Called with true when the CertBridge window opens (or asks again) and waits for the user, with false
   * once the user has answered: show "answer in the CertBridge window" meanwhile.
   */
  onWaiting?: (waiting: boolean) => void;
  /** Aborting cancels the request, like certbridge.cancel(id). */
  signal?: AbortSignal;
}

// ---- Card commands (extension/shared/commands.md) ------------------------------------------------------
// None of the params types has a PIN (`pins`, `pin`, `newPin`): PINs are user secrets, typed into the
// CertBridge window; the extension refuses a request from a page that sends one (BAD_REQUEST, `field`
// "params.pins"). Binary values are base64 unless named ...Hex or id; dates are ISO 8601 UTC strings.

/** Which PC/SC reader to use: 1-128 characters. Default: the first reader with a supported card. */
export interface ReaderParams {
  reader?: string;
}

/** A certificate on the card, by its `id` (64 hex digits: SHA-256 of its DER, as listCertificates gives it). */
export type CertificateId = string;

/** What a certificate's key may do, from its key usage extension (both when it has none). */
export type CertificateUsage = 'signing' | 'encryption';

/** A certificate on the card. */
export interface Certificate {
  /** SHA-256 of the DER, hex. */
  id: CertificateId;
  /** RFC 2253 string (UTF-8). */
  subject: string;
  /** RFC 2253 string (UTF-8). */
  issuer: string;
  /** Hex. */
  serialNumber: string;
  /** ISO 8601 UTC. */
  notBefore: string;
  /** ISO 8601 UTC. */
  notAfter: string;
  daysToExpiry: number;
  /** Whether now is within the validity period. */
  valid: boolean;
  usage: CertificateUsage[];
  isCa: boolean;
  /** Whether the card holds this certificate's key. */
  hasKey: boolean;
  /** CKA_ID hex of the key; null when the card has no key for it (CA certificates). */
  keyId: string | null;
  label: string;
  /** The PIN group (token) the certificate is stored under; 0 is the first. */
  pinGroup: number;
  /** PEM. */
  certificate: string;
}

/** The card's PKCS#11 token. */
export interface TokenInfo {
  label: string;
  serialNumber: string;
  /**
   * false when `serialNumber` is blank or all zeros (shared by every such card): do not take it as the
   * card's identity; tie the card to its certificates or key ids instead.
   */
  serialUnique: boolean;
}

/**
 * A PIN's state. `triesLeft` is only what the token's flags say (null when they say nothing: many cards set
 * no flag, even while locked); `locksAfter` is the card profile's number of wrong PINs that lock the card
 * (null when unknown). Show "this card does not report its tries left; it locks after N wrong PINs" rather
 * than a count the card did not give.
 */
export interface PinState {
  state: 'ok' | 'countLow' | 'finalTry' | 'locked' | 'notInitialized';
  triesLeft: number | null;
  locksAfter: number | null;
}

export type ListCertificatesParams = ReaderParams;

/**
 * A key pair on the card that no certificate belongs to: left by a key generation whose certificate never
 * came (or has not come yet). `usage` and `createdOn` come from the label CertBridge gave it, null for keys
 * named otherwise; `ageDays` whole days since `createdOn`.
 */
export interface KeyWithoutCertificate {
  /** CKA_ID, hex: what removeKeys takes. */
  keyId: string;
  label: string;
  keySize: number;
  usage: 'signing' | 'encryption' | 'dual' | null;
  /** "2026-11-21". */
  createdOn: string | null;
  ageDays: number | null;
  pinGroup: number;
}

export interface ListCertificatesResult {
  reader: string;
  token: TokenInfo;
  certificates: Certificate[];
  /** Key slots used by keys without a certificate; offer removeKeys for those no certificate is awaited for. */
  keysWithoutCertificate: KeyWithoutCertificate[];
}

export interface RemoveKeysParams extends ReaderParams {
  /** 1-8 keyIds of keysWithoutCertificate. */
  keyIds: string[];
}

export interface RemoveKeysResult {
  reader: string;
  token: TokenInfo;
  /** What went, with the number of PKCS#11 objects (private key, public key) removed per key. */
  removed: Array<KeyWithoutCertificate & {objects: number}>;
}

/** A subject attribute type; any other as a dotted OID ("2.5.4.5"). */
export type SubjectAttributeType =
  | 'C' | 'ST' | 'L' | 'O' | 'OU' | 'CN' | 'serialNumber' | 'emailAddress' | 'GN' | 'SN' | 'title' | 'UID' | 'DC'
  | `${number}.${number}.${string}`;

/** One subject attribute: `value` 1-256 characters of text (C: two letters). */
export interface SubjectAttribute {
  type: SubjectAttributeType;
  value: string;
}

/** What a generated key is for: signing, encryption, or both ("dual"). */
export type KeyUsage = 'signing' | 'encryption' | 'dual';

/** One key to generate. */
export interface KeySpec {
  usage: KeyUsage;
  /**
   * RSA bits, one of protocol.json's limits.rsaKeySizes (2048 default, 3072, 4096) that this card also makes
   * (`keySizes` of its token in environment()); another size is BAD_REQUEST before any window opens.
   */
  keySize?: 2048 | 3072 | 4096;
  /** Default 0. */
  pinGroup?: number;
}

export interface GenerateKeyPairParams extends ReaderParams {
  /** 1-16 attributes, most significant first. */
  subject: SubjectAttribute[];
  /** 1-2 keys. */
  keys: KeySpec[];
}

/** One generated key and its certificate request. */
export interface CertificateRequest {
  usage: KeyUsage;
  keySize: number;
  pinGroup: number;
  /** CKA_ID hex: ties the issued certificate to the key. */
  keyId: string;
  /** Base64 SubjectPublicKeyInfo (DER). */
  publicKey: string;
  /** PKCS#10, PEM. */
  request: string;
}

export interface GenerateKeyPairResult {
  reader: string;
  token: TokenInfo;
  requests: CertificateRequest[];
}

export interface WriteCertificatesParams extends ReaderParams {
  /** 1-4 issued certificates (PEM or base64 DER, at most 16 KiB each), each stored beside its key. */
  certificates: string[];
  /** 0-4 CA certificates, stored without a key. */
  caCertificates?: string[];
  /** 0-4 ids of renewed certificates to remove with their keys once the new ones are on the card. */
  removeCertificates?: CertificateId[];
}

export interface WrittenCertificate {
  id: CertificateId;
  subject: string;
  keyId: string;
  label: string;
  pinGroup: number;
  /** Whether it was on the card already (and so not stored again). */
  alreadyOnCard: boolean;
}

export interface WrittenCaCertificate {
  id: CertificateId;
  subject: string;
  alreadyOnCard: boolean;
}

export interface RemovedCertificate {
  id: CertificateId;
  subject: string;
}

export interface WriteCertificatesResult {
  certificates: WrittenCertificate[];
  caCertificates: WrittenCaCertificate[];
  removed: RemovedCertificate[];
}

export interface SignRenewalParams extends ReaderParams {
  /** Base64 of 1 byte to 1 MiB. */
  data: string;
  /** Whose key signs: the card (default) or this computer's key store ("software"; no reader, no PIN). */
  store?: 'card' | 'software';
  /**
   * Default: the valid certificate with a key on the card and the latest expiry. Pass it when the portal
   * knows which certificate is being renewed: a card with several valid certificates may otherwise sign with
   * another.
   */
  certificate?: CertificateId;
  /** Leave the content out of the CMS (default false). */
  detached?: boolean;
}

export interface SignRenewalResult {
  /** Base64 DER CMS SignedData. */
  signature: string;
  certificate: Certificate;
}

export interface AuthenticateParams extends ReaderParams {
  /** Base64 of 16-1024 random bytes from the RA server. */
  challenge: string;
  /** Default as signRenewal, preferring signing certificates. */
  certificate?: CertificateId;
}

export interface AuthenticateResult {
  algorithm: 'sha256WithRSAEncryption';
  /** The origin signed for, as the browser reported it. The RA verifies with its own origin, not this. */
  origin: string;
  /** Base64 signature of SHA-256(origin) || SHA-256(challenge). */
  signature: string;
  certificate: Certificate;
}

export interface PinGroupParams extends ReaderParams {
  /** Default 0. */
  pinGroup?: number;
}

export type ChangePinParams = PinGroupParams;

/** changePin and unblockPin results. */
export interface PinResult {
  pinGroup: number;
  pinName: string;
  pinState: PinState;
}

export type UnblockRequestParams = PinGroupParams;

/** The token as unblockRequest identifies it to the RA. */
export interface UnblockTokenInfo extends TokenInfo {
  manufacturer: string;
  model: string;
}

export interface UnblockRequestResult {
  reader: string;
  token: UnblockTokenInfo;
  pinGroup: number;
  pinName: string;
  pinState: PinState;
  /** 32 hex digits. */
  requestId: string;
  /** Base64 SubjectPublicKeyInfo (DER) of the one-time P-256 key. */
  hostPublicKey: string;
  /** ISO 8601 UTC: the authorization must be applied before then. */
  expiresAt: string;
}

/** The RA server's authorization for unblockPin (see commands.md for how it is made); base64 values. */
export interface UnblockAuthorization {
  version: 1;
  /** The unblockRequest result's requestId. */
  requestId: string;
  /** The RA's ephemeral P-256 SubjectPublicKeyInfo (DER). */
  raPublicKey: string;
  /** 12 bytes. */
  iv: string;
  ciphertext: string;
  /** 16 bytes. */
  tag: string;
}

export interface UnblockPinParams {
  authorization: UnblockAuthorization;
}

export type UnblockPinResult = PinResult;

/** registerCertificates / unregisterCertificates: the card to use (default: the first with a supported card). */
export type RegisterCertificatesParams = ReaderParams;

/**
 * What a call did in one certificate store: `added` / `alreadyPresent` (register; already there by an
 * earlier register, the user or another tool: nothing added twice), `removed` / `notPresent` / `leftAlone`
 * (unregister; `leftAlone`: registered by the user or another tool, so it stays).
 */
export type StoreOutcome = 'added' | 'alreadyPresent' | 'removed' | 'notPresent' | 'leftAlone';

/** One certificate store, e.g. Chrome's NSS database or one Firefox profile's on Linux. */
export interface StoreReport {
  /** `nss-shared` (Chrome, Chromium: ~/.pki/nssdb), `firefox` (a Firefox profile), or another platform's store. */
  kind: string;
  /** For users: "Chrome / Chromium", "Firefox profile default-esr". */
  name: string;
  /** Where the store is (a directory). */
  location: string;
  outcome: StoreOutcome;
  /** The name the card's module is listed under there; null when it is not there. */
  registeredAs: string | null;
  /** register created the store (the browser had not made it yet). */
  created: boolean;
}

export interface RegisterCertificatesResult {
  reader: string;
  token: TokenInfo;
  /** The card's key provider: its card profile and PKCS#11 module. */
  provider: {profile: string; name: string; module: string};
  /** The certificates on the card the stores now show (or no longer show), by id and subject. */
  certificates: Array<{id: string; subject: string; isCa: boolean; hasKey: boolean}>;
  stores: StoreReport[];
}

/** UNBLOCK_AUTHORIZATION_INVALID's `details.reason`. */
export type UnblockInvalidReason =
  | 'noRequest' | 'expired' | 'otherRequest' | 'forged' | 'otherCard' | 'credentialRejected';

/** A certificate in this computer's key store (software certificates): the card's fields without pinGroup. */
export interface StoreCertificate extends Omit<Certificate, 'pinGroup'> {
  /** Whether the key store holds this certificate's key. */
  hasKey: boolean;
  /** The store's name for it (NSS nickname). */
  label: string;
  store: 'software';
}

/** One key to generate in the key store. */
export interface SoftwareKeySpec {
  usage: KeyUsage;
  /** 2048 (default), 3072 or 4096. */
  keySize?: 2048 | 3072 | 4096;
}

export interface GenerateSoftwareKeyParams {
  /** 1-16 attributes, most significant first (as generateKeyPair). */
  subject: SubjectAttribute[];
  /** 1-2 keys. */
  keys: SoftwareKeySpec[];
}

export interface GenerateSoftwareKeyResult {
  store: 'software';
  requests: Omit<CertificateRequest, 'pinGroup'>[];
}

/** generateSoftwareKey's progress; `key` counts from 1 to `keys`. */
export type GenerateSoftwareKeyProgress =
  | {stage: 'generatingKey'; key: number; keys: number}
  | {stage: 'creatingRequest'; key: number; keys: number};

export interface InstallCertificatesParams {
  /** 1-4 issued certificates (PEM or base64 DER), each installed next to its key. */
  certificates: string[];
  /** 0-4 CA certificates, installed only when given (no trust is granted). */
  caCertificates?: string[];
}

/** A certificate the call installed (`installed`) or found already installed. */
export type InstalledCertificate = StoreCertificate & {installed: boolean};

export interface InstallCertificatesResult {
  store: 'software';
  certificates: InstalledCertificate[];
  caCertificates: InstalledCertificate[];
}

export interface ExportPkcs12Params {
  /** 1-4 certificate ids; default every valid certificate with its key in the store. */
  certificates?: CertificateId[];
}

/**
 * A PKCS#12 file the extension saved to the browser's downloads folder. The page never receives the file's
 * bytes nor its password: only what it may show the user.
 */
export interface ExportedPkcs12File {
  certificate: StoreCertificate;
  /**
   * The name the browser saved the file under (downloads.search once saved): the host's
   * "<common name>-<signing|encryption|dual>-<serial tail>.p12", with " (1)" added when that name was taken.
   */
  fileName: string;
  /** The browser's id of the download (downloads API). */
  downloadId: number;
  /**
   * The saved file's permission bits once the host made it readable by its owner only: "0600". null on
   * Windows (no POSIX mode: the user profile's ACL guards the Downloads folder) or when the host could not
   * change them (the file is then as the browser saved it, 0644 in Chromium and Firefox).
   */
  fileMode: string | null;
}

export interface ExportPkcs12Result {
  store: 'software';
  files: ExportedPkcs12File[];
}

export interface ImportPkcs12Params {
  /** Also install the file's CA certificates (default false). */
  includeCaCertificates?: boolean;
}

export interface ImportPkcs12Result {
  store: 'software';
  /** False when the store already held the key. */
  keyImported: boolean;
  certificate: InstalledCertificate;
  caCertificates: InstalledCertificate[];
}

/** The new file, saved to the browser's downloads folder (the original stays as it was). */
export interface ChangePkcs12PasswordResult {
  certificate: Pick<Certificate, 'id' | 'subject' | 'issuer' | 'serialNumber' | 'notAfter' | 'valid'>;
  /** The name the browser saved the new file under (" (1)" added beside the original of the same name). */
  fileName: string;
  /** The browser's id of the download (downloads API). */
  downloadId: number;
  /** The saved file's permission bits: "0600", or null (see ExportedPkcs12File.fileMode). */
  fileMode: string | null;
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
   * Versions and compatibility. Works on any https origin and on http://127.0.0.1 / http://localhost.
   * Rejects with EXTENSION_UNAVAILABLE when the extension does not answer, NATIVE_UNAVAILABLE
   * (details.extension set) when the host is not installed, or with `details.cause` "forbidden" when the
   * browser refuses to start it for this extension (its registration lacks this extension ID, or a policy
   * blocks it: its own message and fix), and at once with ORIGIN_NOT_ALLOWED on http://[::1] (the extension
   * does not run there). The result's `host` row is the host's hello plus its status: {name, version,
   * protocol, ...}.
   */
  status(options?: RequestOptions): Promise<StatusResult>;
  /** The full environment report (allowed origins only). */
  environment(options?: RequestOptions): Promise<EnvironmentResult>;
  /** Readers with their card state (allowed origins only). */
  listReaders(options?: RequestOptions): CertBridgeRequest<ListReadersResult>;
  /** The certificates on the card (every PIN group's token); no PIN needed. */
  listCertificates(params?: ListCertificatesParams, options?: RequestOptions): CertBridgeRequest<ListCertificatesResult>;
  /**
   * Generates each key pair on the card (private key not extractable) and returns one PKCS#10 request per
   * key, signed by that key. The PIN is typed in the CertBridge window. Errors: PIN_*, CARD_REMOVED (the
   * keys this call made before the card left are deleted again when it can reach them: the card ends as it
   * was; a key left behind shows in listCertificates' keysWithoutCertificate).
   */
  generateKeyPair(params: GenerateKeyPairParams, options?: RequestOptions<GenerateKeyPairProgress>):
    CertBridgeRequest<GenerateKeyPairResult>;
  /**
   * Stores issued certificates beside their keys (found by public key), CA certificates without a key, and
   * removes renewed certificates with their keys after every new one is on the card. Idempotent. Errors:
   * CERTIFICATE_KEY_MISMATCH (`details.index`; nothing was written), PIN_*.
   */
  writeCertificates(params: WriteCertificatesParams, options?: RequestOptions<WriteCertificatesProgress>):
    CertBridgeRequest<WriteCertificatesResult>;
  /** CMS SignedData (SHA-256, RSA PKCS#1 v1.5) over `data` with a certificate's key. Errors: KEY_NOT_FOUND, PIN_*. */
  signRenewal(params: SignRenewalParams, options?: RequestOptions): CertBridgeRequest<SignRenewalResult>;
  /**
   * Card login: signs SHA-256(page origin) || SHA-256(challenge) (sha256WithRSAEncryption) with a
   * certificate's key. Errors: KEY_NOT_FOUND, PIN_*.
   */
  authenticate(params: AuthenticateParams, options?: RequestOptions): CertBridgeRequest<AuthenticateResult>;
  /** Changes a PIN group's PIN; old and new PIN are typed in the CertBridge window or on a pin-pad reader. */
  changePin(params?: ChangePinParams, options?: RequestOptions): CertBridgeRequest<PinResult>;
  /**
   * Step 1 of a PIN reset: identifies the card to the RA with a one-time key. The extension keeps the host
   * process for unblockPin from the same tab and origin until `expiresAt`; a new unblockRequest replaces it.
   */
  unblockRequest(params?: UnblockRequestParams, options?: RequestOptions): CertBridgeRequest<UnblockRequestResult>;
  /**
   * Step 2 of a PIN reset, from the same page as step 1: applies the RA's authorization and sets the new
   * PIN, typed in the CertBridge window. Errors: UNBLOCK_AUTHORIZATION_INVALID (`details.reason`:
   * UnblockInvalidReason), SO_PIN_LOCKED (the card refuses every SO login now, so no authorization can
   * unblock it: send the user to the RA, not back to step 1), PIN_POLICY, CARD_REMOVED.
   */
  unblockPin(params: UnblockPinParams, options?: RequestOptions): CertBridgeRequest<UnblockPinResult>;
  /**
   * Deletes key pairs without certificate (listCertificates' keysWithoutCertificate) by keyId, after the user
   * confirms in the CertBridge window (which shows each key's label and age) and types the PIN. A key with a
   * certificate is never removed. Errors: KEY_NOT_FOUND (`keyId`, `field`) when a named key is not a key
   * without certificate on this card: nothing is removed, and no window opens.
   */
  removeKeys(params: RemoveKeysParams, options?: RequestOptions): CertBridgeRequest<RemoveKeysResult>;
  /**
   * Registers the card's certificates in this computer's certificate stores (Linux: the card's module in
   * Chrome's and every Firefox profile's NSS database) so the OS and browsers can use them; the private keys
   * stay on the card and no PIN is needed. The user confirms in the CertBridge window first. Idempotent; all
   * or nothing. Errors: NO_CERTIFICATES_ON_CARD, STORE_ERROR (`details.store`, `location`, `reason`),
   * OS_STORE_NOT_SUPPORTED.
   */
  registerCertificates(params?: RegisterCertificatesParams, options?: RequestOptions):
    CertBridgeRequest<RegisterCertificatesResult>;
  /**
   * Removes exactly what registerCertificates added; a registration the user or another tool made stays
   * (`leftAlone`). Idempotent; all or nothing. Errors: STORE_ERROR, OS_STORE_NOT_SUPPORTED.
   */
  unregisterCertificates(params?: RegisterCertificatesParams, options?: RequestOptions):
    CertBridgeRequest<RegisterCertificatesResult>;
  /**
   * Software certificates: generates key pairs in this computer's key store (Linux: the user's NSS
   * database) and returns one PKCS#10 request per key. The store's password, if it has one, is typed in the
   * CertBridge window. Errors: STORE_PASSWORD_INCORRECT, STORE_ERROR (keys made before are removed).
   */
  generateSoftwareKey(params: GenerateSoftwareKeyParams, options?: RequestOptions<GenerateSoftwareKeyProgress>):
    CertBridgeRequest<GenerateSoftwareKeyResult>;
  /**
   * Installs issued certificates next to their keys in the key store, CA certificates only when given.
   * Idempotent; all or nothing. Errors: CERTIFICATE_KEY_MISMATCH (`details.field`), STORE_PASSWORD_INCORRECT.
   */
  installCertificates(params: InstallCertificatesParams, options?: RequestOptions):
    CertBridgeRequest<InstallCertificatesResult>;
  /**
   * Exports certificates with their keys as PKCS#12 files (AES-256-CBC, PBKDF2-SHA-256, SHA-256 MAC), one
   * per certificate, under a new password typed twice in the CertBridge window. Errors: KEY_NOT_FOUND.
   */
  exportPkcs12(params?: ExportPkcs12Params, options?: RequestOptions): CertBridgeRequest<ExportPkcs12Result>;
  /**
   * Imports a PKCS#12 file the user picks in the CertBridge window (with its password) into the key store.
   * Errors: PKCS12_PASSWORD_INCORRECT, PKCS12_FILE_INVALID (nothing changed in either case).
   */
  importPkcs12(params?: ImportPkcs12Params, options?: RequestOptions): CertBridgeRequest<ImportPkcs12Result>;
  /**
   * A PKCS#12 file the user picks, re-encrypted under a new password; the original file stays.
   * Errors: PKCS12_PASSWORD_INCORRECT, PKCS12_FILE_INVALID.
   */
  changePkcs12Password(params?: Record<string, never>, options?: RequestOptions):
    CertBridgeRequest<ChangePkcs12PasswordResult>;
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
