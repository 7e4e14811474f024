// Change a PKCS#12 file's password (legacy S6): the file, its password and the new one (twice) are all given
// in CertBridge's window; the re-encrypted file is saved through the browser's downloads under a new name
// (the original is never overwritten). The key store is not opened.
import {actionButton, element, progressSay, startFlowPage, t} from './card-flow.js';
import {fileTable} from './file-table.js';

const view = await startFlowPage({flow: 'software-password', steps: ['changePassword'], readers: false});
view.details.append(element('p', {class: 'flow-note', id: 'store-note', text: t('flow.storeNote')}));
if (!view.certbridge) view.fail({code: 'LIBRARY_MISSING'});
view.ready();

actionButton(view, {id: 'start', key: 'flow.software-password.start', onClick: async () => {
  view.begin();
  try {
    view.step('changePassword');
    view.say('flow.software-password.changing');
    const changed = await view.certbridge.changePkcs12Password({}, {onProgress: progressSay(view)});
    view.result.replaceChildren(fileTable([changed], {caption: t('flow.software-password.file'), id: 'exported-files'}));
    view.done('flow.software-password.done', {fileName: changed.fileName});
  } catch (error) {
    view.fail(error);
  }
}});
