// Apply, software-certificate edition (legacy S1): the registration data and the terms as for a card, but
// the signing and the encryption key are made in this computer's key store (generateSoftwareKey; the window
// asks the store's password only when it has one), the RA checks the PKCS#10 requests exactly as a card's
// and issues, and the certificates are installed next to their keys (installCertificates).
import {actionButton, api, element, issuedCertificateTable, progressSay, registrationFacts, startFlowPage, t, termsCheckbox} from './card-flow.js';

const view = await startFlowPage({flow: 'software-apply', steps: ['generateStore', 'issue', 'install'], readers: false});
const registration = await api('GET', '/api/registration');

const terms = termsCheckbox();
view.details.append(registrationFacts(registration),
  element('p', {class: 'flow-note', id: 'store-note', text: t('flow.storeNote')}),
  terms.paragraph);
if (!view.certbridge) view.fail({code: 'LIBRARY_MISSING'});
view.ready();

actionButton(view, {id: 'start', key: 'flow.software-apply.start', onClick: async () => {
  if (!terms.checkbox.checked) {
    view.fail({code: 'TERMS_NOT_ACCEPTED'});
    return;
  }
  view.begin();
  try {
    view.step('generateStore');
    view.say('flow.software-apply.generating');
    const generated = await view.certbridge.generateSoftwareKey({subject: registration.subject,
      keys: registration.keys.map(({usage, keySize}) => ({usage, keySize}))}, {onProgress: progressSay(view)});
    view.step('issue');
    view.say('flow.apply.issuing');
    const issued = await api('POST', '/api/software/apply', {requests: generated.requests.map(({usage, request}) => ({usage, request}))});
    view.step('install');
    view.say('flow.software-install.installing');
    await view.certbridge.installCertificates({certificates: issued.certificates.map((c) => c.certificate),
      caCertificates: [issued.caCertificate]}, {onProgress: progressSay(view)});
    const {certificates} = await api('POST', '/api/software/certificates/installed', {ids: issued.certificates.map((c) => c.id)});
    view.result.replaceChildren(issuedCertificateTable(certificates, issued));
    view.done('flow.software-apply.done');
  } catch (error) {
    view.fail(error);
  }
}});
