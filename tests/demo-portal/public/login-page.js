// Card login (legacy operation 4): the RA's random challenge, signed on the card over
// SHA-256(origin) || SHA-256(challenge) (authenticate); the RA verifies it with its own origin.
import {actionButton, api, element, progressSay, startFlowPage, t} from './card-flow.js';

const view = await startFlowPage({flow: 'login', steps: ['challenge', 'signLogin', 'verify']});
view.details.append(element('p', {class: 'flow-warning', text: t('flow.pinWarning')}));
await view.loadReaders();
view.ready();

actionButton(view, {id: 'start', key: 'flow.login.start', onClick: async () => {
  view.begin();
  try {
    view.step('challenge');
    const {challengeId, challenge} = await api('POST', '/api/login/challenge');
    view.step('signLogin');
    view.say('flow.login.signing');
    const answer = await view.certbridge.authenticate({challenge, reader: view.reader()}, {onProgress: progressSay(view)});
    view.step('verify');
    const session = await api('POST', '/api/login', {challengeId, signature: answer.signature, certificate: answer.certificate.certificate});
    view.result.replaceChildren(element('p', {id: 'login-certificate', class: 'flow-mono',
      text: `${session.certificate.subject} / ${session.certificate.serialNumber}`}));
    view.done('flow.login.done', {name: session.subscriber.name, id: session.subscriber.id});
  } catch (error) {
    view.fail(error);
  }
}});
