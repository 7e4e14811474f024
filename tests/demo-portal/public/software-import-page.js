// Import PKCS#12 (legacy S5): a file into this computer's key store. The user picks the file and types its
// password in CertBridge's window (a wrong password is asked again there; nothing is stored until the file
// opens), so the page gets only what was imported: the certificate, and whether key and certificate were new.
import {actionButton, certificateTable, element, progressSay, startFlowPage, t} from './card-flow.js';

const view = await startFlowPage({flow: 'software-import', steps: ['import'], readers: false});
view.details.append(element('p', {class: 'flow-note', id: 'store-note', text: t('flow.storeNote')}));
if (!view.certbridge) view.fail({code: 'LIBRARY_MISSING'});
view.ready();

actionButton(view, {id: 'start', key: 'flow.software-import.start', onClick: async () => {
  view.begin();
  try {
    view.step('import');
    view.say('flow.software-import.importing');
    const imported = await view.certbridge.importPkcs12({}, {onProgress: progressSay(view)});
    const certificate = {...imported.certificate, status: 'installed'};
    view.result.replaceChildren(certificateTable([certificate], {caption: t('flow.software-import.imported'), id: 'issued-certificates'}));
    view.done(imported.keyImported || imported.certificate.installed ? 'flow.software-import.done' : 'flow.software-import.alreadyDone');
  } catch (error) {
    view.fail(error);
  }
}});
