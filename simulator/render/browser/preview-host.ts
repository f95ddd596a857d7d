// The simulator side of the live preview: a person's click is a tap on the exparser node behind the element (the
// same tap Element.tap makes, inside WeChat's user-gesture window), typing is the input events a keyboard sends.
import type { Element as ExElement } from '../../runtime/exparser';
import type { Simulation } from '../../runtime/simulation';
import { rememberControlValue } from '../../protocol/element';
import type { PhoneScreen } from './screen';
import type { PreviewHost } from './preview';

function nodeOf(element: Element): ExElement {
  const node = (element as unknown as { __wxElement?: ExElement }).__wxElement;
  if (!node) throw new Error('that element has no mini program node behind it');
  return node;
}

export function simulationHost(sim: Simulation, screen: PhoneScreen): PreviewHost {
  return {
    async relaunch() {
      screen.dropForeign();
      await sim.restart({ scene: 1001 });
    },
    tap(element, point) {
      sim.app.tap(nodeOf(element), point);
    },
    field(element, event, value) {
      const node = nodeOf(element);
      const detail =
        event === 'input' ? { value, cursor: value.length, keyCode: 0 }
        : event === 'focus' ? { value, height: 0 }
        : { value };
      if (event === 'input') rememberControlValue(node, value);
      sim.app.dispatch(node, event, detail, { bubbles: false, composed: false });
    },
    back() {
      sim.app.route('navigateBack', { delta: 1 });
    },
    answerModal(confirm) {
      sim.answerModal(confirm);
    },
    answerActionSheet(tapIndex) {
      sim.answerActionSheet(tapIndex);
    },
    switchTab(pagePath) {
      sim.app.route('switchTab', { url: `/${pagePath.replace(/^\//, '')}` });
    },
  };
}
