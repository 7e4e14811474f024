// The PKCS#12 files the extension saved to the downloads folder for a page (exportPkcs12,
// changePkcs12Password), as a table: what the page knows of them is the name, the download id and the
// certificate inside, never the bytes.
import {element, t} from './card-flow.js';

/** The saved files, one row each: file name, the certificate's usage, serial number and expiry. */
export function fileTable(files, {caption, id}) {
  const usageText = (usage) => {
    const key = `flow.usage.${[usage].flat().join('+')}`;
    return t(key) === key ? [usage].flat().join('+') : t(key);
  };
  return element('table', {class: 'flow-table', id},
    element('caption', {text: caption}),
    element('thead', {}, element('tr', {}, ...['file', 'usage', 'serial', 'notAfter']
      .map((column) => element('th', {scope: 'col', text: t(`flow.column.${column}`)})))),
    element('tbody', {}, ...files.map((file) => element('tr', {'data-file-name': file.fileName, 'data-download-id': String(file.downloadId),
      'data-serial': file.certificate?.serialNumber ?? ''},
    element('td', {class: 'flow-mono', text: file.fileName}),
    element('td', {text: usageText(file.certificate?.usage ?? '')}),
    element('td', {class: 'flow-mono', text: file.certificate?.serialNumber ?? ''}),
    element('td', {text: String(file.certificate?.notAfter ?? '').slice(0, 10)})))));
}
