// Change card PIN (legacy operation 6): the old and new PIN are typed in CertBridge's own window, never on
// this page.
import {actionButton, element, progressSay, startFlowPage, t} from './card-flow.js';

const view = await startFlowPage({flow: 'change-pin', steps: ['change']});
view.details.append(element('p', {class: 'flow-warning', text: t('flow.pinWarning')}));
await view.loadReaders();
view.ready();

actionButton(view, {id: 'start', key: 'flow.change-pin.start', onClick: async () => {
  view.begin();
  try {
    view.step('change');
    view.say('flow.change-pin.changing');
    const result = await view.certbridge.changePin({pinGroup: 0, reader: view.reader()}, {onProgress: progressSay(view)});
    view.done('flow.change-pin.done', {pinName: result.pinName});
  } catch (error) {
    view.fail(error);
  }
}});
