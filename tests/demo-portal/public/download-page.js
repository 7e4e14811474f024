// Download (legacy operation 3): write certificates the RA issued onto the card, for when apply or renew
// did not get them there. CertBridge finds each certificate's key on the card by its public key, so this
// works on any computer (the legacy portal: "same computer only").
import {actionButton, api, certificateChoice, chosenIds, progressSay, startFlowPage, t} from './card-flow.js';

const view = await startFlowPage({flow: 'download', steps: ['write']});

async function showIssued() {
  const {certificates} = await api('GET', '/api/certificates');
  view.details.replaceChildren(certificateChoice(certificates, {caption: t('flow.download.table'), none: t('flow.download.none')}));
}
await showIssued();
await view.loadReaders();
view.ready();

actionButton(view, {id: 'start', key: 'flow.download.start', onClick: async () => {
  const ids = chosenIds(view.details);
  if (ids.length === 0) {
    view.fail({code: 'NOTHING_SELECTED'});
    return;
  }
  view.begin();
  try {
    view.step('write');
    view.say('flow.write.writing');
    const {certificates, caCertificate} = await api('GET', '/api/certificates');
    const chosen = certificates.filter((certificate) => ids.includes(certificate.id));
    const written = await view.certbridge.writeCertificates({certificates: chosen.map((c) => c.certificate),
      caCertificates: [caCertificate], reader: view.reader()}, {onProgress: progressSay(view)});
    await api('POST', '/api/certificates/written', {ids: written.certificates.map((c) => c.id)});
    await showIssued();
    const already = written.certificates.filter((c) => c.alreadyOnCard).length;
    view.done(already === written.certificates.length ? 'flow.download.alreadyDone' : 'flow.download.done',
      {count: written.certificates.length - already});
  } catch (error) {
    view.fail(error);
  }
}});
