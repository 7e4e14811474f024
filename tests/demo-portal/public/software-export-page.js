// Export PKCS#12 (legacy S4, the backup the legacy portal saved per certificate): every valid certificate in
// this computer's key store with its key, one file each. The new file password is typed twice in
// CertBridge's window, and the extension saves the files through the browser's downloads: the page learns
// the file names (and the browser's download ids), never a password or a file's bytes.
import {actionButton, element, progressSay, startFlowPage, t} from './card-flow.js';
import {fileTable} from './file-table.js';

const view = await startFlowPage({flow: 'software-export', steps: ['export'], readers: false});
view.details.append(element('p', {class: 'flow-note', id: 'store-note', text: t('flow.storeNote')}));
if (!view.certbridge) view.fail({code: 'LIBRARY_MISSING'});
view.ready();

actionButton(view, {id: 'start', key: 'flow.software-export.start', onClick: async () => {
  view.begin();
  try {
    view.step('export');
    view.say('flow.software-export.exporting');
    const {files} = await view.certbridge.exportPkcs12({}, {onProgress: progressSay(view)});
    view.result.replaceChildren(fileTable(files, {caption: t('flow.software-export.files'), id: 'exported-files'}));
    view.done('flow.software-export.done', {count: files.length});
  } catch (error) {
    view.fail(error);
  }
}});
