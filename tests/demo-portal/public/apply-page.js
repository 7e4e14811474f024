// Apply (legacy operation 1): review the registration data, accept the terms, choose the reader; the keys
// are made ON the card (PIN in CertBridge's window), the RA checks the requests and issues a signing and an
// encryption certificate, and they are written onto the card beside their keys with the CA certificate.
import {actionButton, api, element, issuedCertificateTable, progressSay, registrationFacts, startFlowPage, t, termsCheckbox} from './card-flow.js';

const view = await startFlowPage({flow: 'apply', steps: ['generate', 'issue', 'write']});
const registration = await api('GET', '/api/registration');

const terms = termsCheckbox();
view.details.append(registrationFacts(registration),
  element('p', {class: 'flow-warning', text: t('flow.pinWarning')}),
  terms.paragraph);

await view.loadReaders();
view.ready();

actionButton(view, {id: 'start', key: 'flow.apply.start', onClick: async () => {
  if (!terms.checkbox.checked) {
    view.fail({code: 'TERMS_NOT_ACCEPTED'});
    return;
  }
  view.begin();
  try {
    view.step('generate');
    view.say('flow.apply.generating');
    const generated = await view.certbridge.generateKeyPair({subject: registration.subject, keys: registration.keys, reader: view.reader()},
      {onProgress: progressSay(view)});
    view.step('issue');
    view.say('flow.apply.issuing');
    const issued = await api('POST', '/api/apply', {token: generated.token,
      requests: generated.requests.map(({usage, request}) => ({usage, request}))});
    view.step('write');
    view.say('flow.write.writing');
    await view.certbridge.writeCertificates({certificates: issued.certificates.map((c) => c.certificate),
      caCertificates: [issued.caCertificate], reader: view.reader()}, {onProgress: progressSay(view)});
    const {certificates} = await api('POST', '/api/certificates/written', {ids: issued.certificates.map((c) => c.id)});
    view.result.replaceChildren(issuedCertificateTable(certificates, issued));
    view.done('flow.apply.done');
  } catch (error) {
    view.fail(error);
  }
}});
