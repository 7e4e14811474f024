// Reset a forgotten PIN / unlock a locked card (legacy operation 7). Step 1: the card identifies itself
// (unblockRequest) and the RA, which knows the card, answers with an authorization sealed to this host's
// one-time key. Step 2: the new PIN, typed twice in CertBridge's window, is set with that authorization
// (unblockPin). The card's security-officer credential never reaches the user or this page in the clear.
import {actionButton, api, element, progressSay, startFlowPage, t} from './card-flow.js';

const view = await startFlowPage({flow: 'unlock', steps: ['identify', 'authorize', 'reset']});
await view.loadReaders();

let authorization = null;
const cardFacts = element('p', {id: 'card-facts', class: 'flow-mono'});
view.details.append(cardFacts);

const stepTwo = element('button', {type: 'button', id: 'reset', class: 'portal-button', hidden: true, text: t('flow.unlock.reset')});

actionButton(view, {id: 'start', key: 'flow.unlock.start', onClick: async () => {
  view.begin();
  stepTwo.hidden = true;
  authorization = null;
  try {
    view.step('identify');
    const ticket = await view.certbridge.unblockRequest({pinGroup: 0, reader: view.reader()});
    cardFacts.textContent = t('flow.unlock.card', {label: ticket.token.label, serial: ticket.token.serialNumber,
      pinName: ticket.pinName, state: t(`flow.pinState.${ticket.pinState.state}`)});
    view.step('authorize');
    ({authorization} = await api('POST', '/api/unblock/authorize', {ticket}));
    view.step('reset', 'active');
    view.say('flow.unlock.authorized');
    view.setState('authorized');
    stepTwo.hidden = false;
    stepTwo.focus();
  } catch (error) {
    view.fail(error);
  }
}});

stepTwo.addEventListener('click', async () => {
  stepTwo.disabled = true;
  try {
    view.say('flow.unlock.resetting');
    view.setState('working');
    const result = await view.certbridge.unblockPin({authorization}, {onProgress: progressSay(view)});
    stepTwo.hidden = true;
    view.done('flow.unlock.done', {pinName: result.pinName});
  } catch (error) {
    // The authorization is used up whatever the outcome, except a refused new PIN: step 1 starts again.
    view.fail(error);
  } finally {
    stepTwo.disabled = false;
  }
});
view.actions.append(stepTwo);
view.ready();
