// Register certificates: the card's certificates made usable by the browsers and the OS
// (registerCertificates: on Linux the card's PKCS#11 module in the user's NSS databases), the keys staying
// on the card, and taken back (unregisterCertificates removes exactly what register added). No PIN; the
// extension's window shows the certificates and the stores and asks for consent.
import {actionButton, certificateTable, element, progressSay, startFlowPage, t} from './card-flow.js';

const view = await startFlowPage({flow: 'register', steps: ['register']});

async function showCard() {
  if (!view.certbridge) return;
  try {
    const {certificates} = await view.certbridge.listCertificates({reader: view.reader()});
    const own = certificates.filter((certificate) => !certificate.isCa);
    view.details.replaceChildren(own.length
      ? certificateTable(own, {caption: t('flow.register.onCard'), id: 'card-certificates'})
      : t('flow.register.noneOnCard'));
  } catch (error) {
    view.fail(error);
  }
}

/** Each store the host changed (or found as it was), with what it did there. */
function storeTable(stores) {
  return element('table', {class: 'flow-table', id: 'stores'},
    element('caption', {text: t('flow.register.stores')}),
    element('thead', {}, element('tr', {}, ...['store', 'location', 'outcome']
      .map((column) => element('th', {scope: 'col', text: t(`flow.column.${column}`)})))),
    element('tbody', {}, ...stores.map((store) => element('tr', {'data-kind': store.kind, 'data-outcome': store.outcome},
      element('td', {text: store.name}),
      element('td', {class: 'flow-mono', text: store.location}),
      element('td', {text: t(`flow.outcome.${store.outcome}`)})))));
}

if (await view.loadReaders()) await showCard();
view.ready();

for (const [id, key, command, done] of [['register', 'flow.register.start', 'registerCertificates', 'flow.register.done'],
  ['unregister', 'flow.register.stop', 'unregisterCertificates', 'flow.register.undone']]) {
  actionButton(view, {id, key, onClick: async () => {
    view.begin();
    try {
      view.step('register');
      view.say('flow.register.registering');
      const result = await view.certbridge[command]({reader: view.reader()}, {onProgress: progressSay(view)});
      view.result.replaceChildren(storeTable(result.stores));
      view.done(done, {count: result.certificates.filter((certificate) => !certificate.isCa).length});
    } catch (error) {
      view.fail(error);
    }
  }});
}
