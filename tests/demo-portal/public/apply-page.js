// Apply (legacy operation 1): review the registration data, accept the terms, choose the reader; the keys
// are made ON the card (PIN in CertBridge's window), the RA checks the requests and issues a signing and an
// encryption certificate, and they are written onto the card beside their keys with the CA certificate.
import {actionButton, api, certificateTable, element, progressSay, startFlowPage, t} from './card-flow.js';

const view = await startFlowPage({flow: 'apply', steps: ['generate', 'issue', 'write']});
const registration = await api('GET', '/api/registration');

const terms = element('input', {type: 'checkbox', id: 'terms'});
view.details.append(
  element('dl', {class: 'flow-facts'},
    element('dt', {text: t('flow.apply.applicant')}), element('dd', {id: 'applicant', text: `${registration.subscriber.name} (${registration.subscriber.id})`}),
    element('dt', {text: t('flow.apply.subject')}), element('dd', {id: 'subject', text: registration.subjectText}),
    element('dt', {text: t('flow.apply.certificates')}), element('dd', {text: registration.keys
      .map((key) => `${t(`flow.usage.${key.usage}`)} (RSA ${key.keySize})`).join(', ')}),
    element('dt', {text: t('flow.apply.validity')}), element('dd', {text: t('flow.years', {years: registration.validityYears})})),
  element('p', {class: 'flow-warning', text: t('flow.pinWarning')}),
  element('p', {class: 'flow-terms'}, terms, ' ', element('label', {for: 'terms', text: t('flow.apply.terms')})));

await view.loadReaders();
view.ready();

actionButton(view, {id: 'start', key: 'flow.apply.start', onClick: async () => {
  if (!terms.checked) {
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
    view.result.replaceChildren(certificateTable(certificates.filter((c) => issued.certificates.some((i) => i.id === c.id)),
      {caption: t('flow.apply.issued'), id: 'issued-certificates'}));
    view.done('flow.apply.done');
  } catch (error) {
    view.fail(error);
  }
}});
