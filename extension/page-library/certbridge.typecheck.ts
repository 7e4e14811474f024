// Compiled by `npm run typecheck` only (never shipped): uses the declared API the way a portal would, so
// a declaration that cannot be used as documented fails the check.

import certbridgeDefault, {
  certbridge,
  CertBridgeError,
  type AuthenticateResult,
  type Certificate,
  type CertBridgeRequest,
  type CertificateRequest,
  type GenerateKeyPairProgress,
  type GenerateKeyPairResult,
  type KeyWithoutCertificate,
  type ListCertificatesResult,
  type PinResult,
  type PinState,
  type RemoveKeysResult,
  type SignRenewalResult,
  type StatusResult,
  type UnblockAuthorization,
  type UnblockInvalidReason,
  type UnblockPinResult,
  type UnblockRequestResult,
  type WriteCertificatesProgress,
  type WriteCertificatesResult,
} from './certbridge.js';

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

const describeCertificate = (certificate: Certificate): string => {
  const usage: ('signing' | 'encryption')[] = certificate.usage;
  const keyId: string | null = certificate.keyId;
  const expiry: number = certificate.daysToExpiry;
  return `${certificate.id} ${certificate.subject} ${certificate.issuer} ${certificate.serialNumber} ` +
    `${certificate.notBefore}-${certificate.notAfter} ${expiry} ${certificate.valid} ${usage.join('+')} ` +
    `${certificate.isCa} ${certificate.hasKey} ${keyId ?? 'CA'} ${certificate.label} ${certificate.pinGroup} ` +
    certificate.certificate;
};

const describePin = (pin: PinResult): string => {
  const state: PinState = pin.pinState;
  const triesLeft: number | null = state.triesLeft;
  const locksAfter: number | null = state.locksAfter;
  return `${pin.pinGroup} ${pin.pinName} ${state.state === 'finalTry' ? 'last try' : state.state} ` +
    `${triesLeft ?? `locks after ${locksAfter ?? '?'}`}`;
};

/** Enrolment, renewal, login and PIN reset the way a portal's RA pages would do them. */
export async function cardExample(raAuthorization: (request: UnblockRequestResult) => Promise<UnblockAuthorization>):
  Promise<string[]> {
  const lines: string[] = [];
  const listed: ListCertificatesResult = await certbridge.listCertificates();
  const onReader = await certbridge.listCertificates({reader: 'Virtual PCD 00 00'}, {timeoutMs: 10_000});
  lines.push(`${listed.reader} ${listed.token.label} ${listed.token.serialNumber} ${onReader.certificates.length}`);
  const unique: boolean = listed.token.serialUnique;
  const orphans: KeyWithoutCertificate[] = listed.keysWithoutCertificate.filter((key) => (key.ageDays ?? 0) > 30);
  if (unique && orphans.length > 0) {
    const removed: RemoveKeysResult = await certbridge.removeKeys({keyIds: orphans.map((key) => key.keyId)},
      {onWaiting: (waiting: boolean) => lines.push(waiting ? 'answer in the CertBridge window' : 'answered')});
    lines.push(...removed.removed.map((key) => `${key.keyId} ${key.usage ?? '?'} ${key.createdOn ?? '?'} ${key.objects}`));
  }
  lines.push(...listed.certificates.map(describeCertificate));

  const stages: string[] = [];
  const generating: CertBridgeRequest<GenerateKeyPairResult> = certbridge.generateKeyPair({
    subject: [{type: 'C', value: 'TW'}, {type: '2.5.4.5', value: 'A123456789'}, {type: 'CN', value: '王小明'}],
    keys: [{usage: 'signing'}, {usage: 'encryption', keySize: 3072, pinGroup: 1}],
  }, {
    onProgress: (progress: GenerateKeyPairProgress) => {
      stages.push(progress.stage === 'login' ? 'login' : `${progress.stage} ${progress.key}/${progress.keys}`);
    },
  });
  certbridge.cancel(generating.id);
  const generated = await generating;
  const request: CertificateRequest | undefined = generated.requests[0];
  lines.push(`${generated.reader} ${generated.token.label} ${stages.join()}`,
    `${request?.usage} ${request?.keySize} ${request?.pinGroup} ${request?.keyId} ${request?.publicKey} ${request?.request}`);

  const written: WriteCertificatesResult = await certbridge.writeCertificates({
    certificates: ['-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----'],
    caCertificates: ['MIIB...'],
    removeCertificates: ['ab'.repeat(32)],
  }, {onProgress: (progress: WriteCertificatesProgress) => stages.push(progress.stage)});
  lines.push(...written.certificates.map((entry) =>
    `${entry.id} ${entry.subject} ${entry.keyId} ${entry.label} ${entry.pinGroup} ${entry.alreadyOnCard}`));
  lines.push(...written.caCertificates.map((entry) => `${entry.id} ${entry.subject} ${entry.alreadyOnCard}`));
  lines.push(...written.removed.map((entry) => `${entry.id} ${entry.subject}`));

  const signed: SignRenewalResult = await certbridge.signRenewal({data: 'aGVsbG8=', detached: true},
    {signal: new AbortController().signal});
  const login: AuthenticateResult = await certbridge.authenticate({challenge: 'MDEyMzQ1Njc4OWFiY2RlZg==',
    certificate: signed.certificate.id});
  const algorithm: 'sha256WithRSAEncryption' = login.algorithm;
  lines.push(`${signed.signature} ${algorithm} ${login.origin} ${login.signature} ${describeCertificate(login.certificate)}`);

  lines.push(describePin(await certbridge.changePin()), describePin(await certbridge.changePin({pinGroup: 1})));

  const unblock: UnblockRequestResult = await certbridge.unblockRequest({pinGroup: 0});
  lines.push(`${unblock.reader} ${unblock.token.manufacturer} ${unblock.token.model} ${unblock.pinName} ` +
    `${unblock.pinState.state} ${unblock.requestId} ${unblock.hostPublicKey} ${unblock.expiresAt}`);
  try {
    const unblocked: UnblockPinResult = await certbridge.unblockPin({authorization: await raAuthorization(unblock)});
    lines.push(describePin(unblocked));
  } catch (error) {
    if (!(error instanceof CertBridgeError) || error.code !== 'UNBLOCK_AUTHORIZATION_INVALID') throw error;
    const reason = error.details.reason as UnblockInvalidReason;
    lines.push(reason === 'expired' ? 'start again' : `${reason} ${error.details.field ?? ''}`);
  }

  // PINs are user secrets: no params type has them, so a page cannot send one through the typed API.
  // @ts-expect-error pins is not a parameter
  void certbridge.generateKeyPair({subject: [{type: 'CN', value: 'x'}], keys: [{usage: 'dual'}], pins: ['1234']});
  // @ts-expect-error pin and newPin are not parameters
  void certbridge.changePin({pin: '1234', newPin: '5678'});
  // @ts-expect-error newPin is not a parameter
  void certbridge.unblockPin({authorization: await raAuthorization(unblock), newPin: '5678'});
  // @ts-expect-error the authorization version is 1
  void certbridge.unblockPin({authorization: {...(await raAuthorization(unblock)), version: 2}});
  // @ts-expect-error a key's usage is signing, encryption or dual
  void certbridge.generateKeyPair({subject: [{type: 'CN', value: 'x'}], keys: [{usage: 'sign'}]});

  // The card's certificates in this computer's stores, and back out.
  const registered = await certbridge.registerCertificates();
  for (const store of registered.stores) {
    const outcome: 'added' | 'alreadyPresent' | 'removed' | 'notPresent' | 'leftAlone' = store.outcome;
    lines.push(`${store.name} ${store.location} ${outcome} ${store.registeredAs ?? '-'} ${store.created}`);
  }
  lines.push(...registered.certificates.map((entry) => `${entry.subject} ${entry.hasKey}`));
  const unregistered = await certbridge.unregisterCertificates({reader: registered.reader});
  lines.push(`${unregistered.provider.module} ${unregistered.stores.length}`);
  return lines;
}

/** Software certificates: every password and every file's bytes stay in the CertBridge window. */
export async function softwareCertificateExample(issue: (request: string) => Promise<string>): Promise<string[]> {
  const lines: string[] = [];
  const {requests} = await certbridge.generateSoftwareKey({subject: [{type: 'CN', value: '王小明'}], keys: [{usage: 'signing'}]});
  const installed = await certbridge.installCertificates({certificates: await Promise.all(requests.map((entry) => issue(entry.request)))});
  lines.push(...installed.certificates.map((entry) => `${entry.label} ${entry.installed} ${entry.hasKey}`));
  const exported = await certbridge.exportPkcs12({certificates: installed.certificates.map((entry) => entry.id)});
  for (const file of exported.files) {
    const downloadId: number = file.downloadId;
    lines.push(`${file.fileName} ${downloadId} ${file.certificate.subject}`);
    // @ts-expect-error the page never receives the file's bytes
    void file.pkcs12;
  }
  const imported = await certbridge.importPkcs12({includeCaCertificates: true});
  lines.push(`${imported.keyImported} ${imported.certificate.installed}`);
  const changed = await certbridge.changePkcs12Password();
  lines.push(`${changed.fileName} ${changed.downloadId}`);
  // @ts-expect-error a file is picked in the window, never sent by the page
  void certbridge.importPkcs12({file: 'MIIK', password: 'secret'});
  // @ts-expect-error the new password is typed in the window
  void certbridge.exportPkcs12({newPassword: 'secret1'});
  // @ts-expect-error the store's password is typed in the window
  void certbridge.generateSoftwareKey({subject: [{type: 'CN', value: 'x'}], keys: [{usage: 'signing'}], storePassword: 'x'});
  // @ts-expect-error changePkcs12Password takes no parameters
  void certbridge.changePkcs12Password({password: 'old'});
  return lines;
}
