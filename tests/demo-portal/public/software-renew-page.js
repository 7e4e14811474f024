// Renew, software-certificate edition (legacy S3, "renew with the old key"): new keys in this computer's key
// store, the RA's renewal data signed (CMS, signRenewal with store "software") with the key of the valid
// certificate already in the store, which the RA verifies against the subscriber's current software
// certificates before it issues; the new certificates are installed next to the new keys.
import {actionButton, api, certificateTable, element, progressSay, startFlowPage, t} from './card-flow.js';

const view = await startFlowPage({flow: 'software-renew', steps: ['generateStore', 'signStore', 'issue', 'install'], readers: false});
const registration = await api('GET', '/api/registration');

async function showCurrent() {
  const {certificates} = await api('GET', '/api/software/certificates');
  const current = certificates.filter((certificate) => certificate.status !== 'renewed');
  view.details.replaceChildren(current.length
    ? certificateTable(current, {caption: t('flow.software-renew.current'), id: 'ra-certificates'})
    : t('flow.software-renew.none'), element('p', {class: 'flow-note', id: 'store-note', text: t('flow.storeNote')}));
}
await showCurrent();
if (!view.certbridge) view.fail({code: 'LIBRARY_MISSING'});
view.ready();

actionButton(view, {id: 'start', key: 'flow.software-renew.start', onClick: async () => {
  view.begin();
  try {
    // Renewal must be open before keys are made: a refusal later would leave keys without certificates.
    await api('GET', '/api/renewal/eligibility?edition=software');
    view.step('generateStore');
    view.say('flow.software-apply.generating');
    const generated = await view.certbridge.generateSoftwareKey({subject: registration.subject,
      keys: registration.keys.map(({usage, keySize}) => ({usage, keySize}))}, {onProgress: progressSay(view)});
    const requests = generated.requests.map(({usage, request}) => ({usage, request}));
    view.step('signStore');
    view.say('flow.software-renew.signing');
    const prepared = await api('POST', '/api/renewal/prepare', {requests, edition: 'software'});
    const signed = await view.certbridge.signRenewal({store: 'software', data: prepared.data}, {onProgress: progressSay(view)});
    view.step('issue');
    view.say('flow.apply.issuing');
    const renewed = await api('POST', '/api/renewal/complete', {renewalId: prepared.renewalId, signature: signed.signature});
    view.step('install');
    view.say('flow.software-install.installing');
    await view.certbridge.installCertificates({certificates: renewed.certificates.map((c) => c.certificate),
      caCertificates: [renewed.caCertificate]}, {onProgress: progressSay(view)});
    const {certificates} = await api('POST', '/api/software/certificates/installed', {ids: renewed.certificates.map((c) => c.id)});
    await showCurrent();
    view.result.replaceChildren(certificateTable(certificates.filter((c) => renewed.certificates.some((r) => r.id === c.id)),
      {caption: t('flow.software-renew.issued'), id: 'issued-certificates'}));
    view.done('flow.software-renew.done', {serial: renewed.signedWith.serialNumber});
  } catch (error) {
    view.fail(error);
  }
}});
