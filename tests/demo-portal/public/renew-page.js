// Renew (legacy operation 2): new keys on the card, the RA's renewal data signed (CMS) with the key of the
// still-valid certificate that expires last, the new certificates issued and written; the old ones are
// removed from the card only after the new ones are on it (writeCertificates' removeCertificates).
import {actionButton, api, certificateTable, progressSay, startFlowPage, t} from './card-flow.js';

const view = await startFlowPage({flow: 'renew', steps: ['generate', 'sign', 'issue', 'write']});
const registration = await api('GET', '/api/registration');

async function showCard() {
  if (!view.certbridge) return;
  try {
    const {certificates} = await view.certbridge.listCertificates({reader: view.reader()});
    const own = certificates.filter((certificate) => certificate.hasKey);
    view.details.replaceChildren(own.length
      ? certificateTable(own, {caption: t('flow.renew.onCard'), id: 'card-certificates'})
      : t('flow.renew.noneOnCard'));
  } catch (error) {
    view.fail(error);
  }
}
if (await view.loadReaders()) await showCard();
view.ready();

actionButton(view, {id: 'start', key: 'flow.renew.start', onClick: async () => {
  view.begin();
  try {
    // Renewal must be open before new keys are made: a refusal later would leave keys without certificates.
    await api('GET', '/api/renewal/eligibility');
    view.step('generate');
    view.say('flow.apply.generating');
    const reader = view.reader();
    const generated = await view.certbridge.generateKeyPair({subject: registration.subject, keys: registration.keys, reader},
      {onProgress: progressSay(view)});
    const requests = generated.requests.map(({usage, request}) => ({usage, request}));
    view.step('sign');
    view.say('flow.renew.signing');
    const prepared = await api('POST', '/api/renewal/prepare', {requests});
    const signed = await view.certbridge.signRenewal({data: prepared.data, reader}, {onProgress: progressSay(view)});
    view.step('issue');
    view.say('flow.apply.issuing');
    const renewed = await api('POST', '/api/renewal/complete', {renewalId: prepared.renewalId, signature: signed.signature});
    view.step('write');
    view.say('flow.write.writing');
    // The RA's certificate ids and the card's are both the SHA-256 of the DER.
    const {certificates: onCard} = await view.certbridge.listCertificates({reader});
    const old = onCard.filter((certificate) => renewed.replaces.some((record) => record.id === certificate.id.toLowerCase()));
    await view.certbridge.writeCertificates({certificates: renewed.certificates.map((c) => c.certificate),
      caCertificates: [renewed.caCertificate], removeCertificates: old.map((c) => c.id), reader}, {onProgress: progressSay(view)});
    const {certificates} = await api('POST', '/api/certificates/written', {ids: renewed.certificates.map((c) => c.id)});
    view.result.replaceChildren(certificateTable(certificates.filter((c) => renewed.certificates.some((r) => r.id === c.id)),
      {caption: t('flow.renew.issued'), id: 'issued-certificates'}));
    await showCard();
    view.done('flow.renew.done', {serial: renewed.signedWith.serialNumber, removed: old.length});
  } catch (error) {
    view.fail(error);
  }
}});
