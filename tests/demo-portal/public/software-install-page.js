// Install, software-certificate edition (legacy S2, "download"): certificates the RA issued for a key store
// installed next to their keys (installCertificates finds each key by its public key; a certificate whose
// key is not in this computer's store is refused before anything is stored).
import {actionButton, api, certificateChoice, chosenIds, element, progressSay, startFlowPage, t} from './card-flow.js';

const view = await startFlowPage({flow: 'software-install', steps: ['install'], readers: false});

async function showIssued() {
  const {certificates} = await api('GET', '/api/software/certificates');
  view.details.replaceChildren(
    certificateChoice(certificates, {caption: t('flow.software-install.table'), none: t('flow.software-install.none')}),
    element('p', {class: 'flow-note', id: 'store-note', text: t('flow.storeNote')}));
}
await showIssued();
if (!view.certbridge) view.fail({code: 'LIBRARY_MISSING'});
view.ready();

actionButton(view, {id: 'start', key: 'flow.software-install.start', onClick: async () => {
  const ids = chosenIds(view.details);
  if (ids.length === 0) {
    view.fail({code: 'NOTHING_SELECTED'});
    return;
  }
  view.begin();
  try {
    view.step('install');
    view.say('flow.software-install.installing');
    const {certificates, caCertificate} = await api('GET', '/api/software/certificates');
    const chosen = certificates.filter((certificate) => ids.includes(certificate.id));
    const installed = await view.certbridge.installCertificates({certificates: chosen.map((c) => c.certificate),
      caCertificates: [caCertificate]}, {onProgress: progressSay(view)});
    await api('POST', '/api/software/certificates/installed', {ids: installed.certificates.map((c) => c.id.toLowerCase())});
    await showIssued();
    const added = installed.certificates.filter((c) => c.installed).length;
    view.done(added === 0 ? 'flow.software-install.alreadyDone' : 'flow.software-install.done', {count: added});
  } catch (error) {
    view.fail(error);
  }
}});
