// Sim domain: what only a phone does (leave and come back, get killed, lose the network), the same controls as
// the __sim global that evaluate() reaches.
import type { DomainHandlers } from './dispatcher';

export const simDomain: DomainHandlers<'Sim'> = {
  appHide: (_p, { sim }) => sim.appHide(),
  appShow: (p, { sim }) => ({ enterOptions: sim.appShow(p) }),
  restart: (p, { sim }) => sim.restart(p),
  setNetwork: (p, { sim }) => sim.setNetwork(p),
  idle: async (_p, { sim }) => {
    await sim.idle();
    return {};
  },
  getUi: (_p, { sim }) => ({ events: sim.controls.ui(), modal: sim.controls.modal(), actionSheet: sim.controls.actionSheet() }),
  answerModal: (p, { sim }) => sim.answerModal(p.confirm !== false),
  answerActionSheet: (p, { sim }) => sim.answerActionSheet(p.tapIndex),
  getJumps: (_p, { sim }) => ({ jumps: sim.controls.jumps() }),
  getRequests: (_p, { sim }) => ({ requests: sim.controls.requests() }),
  getStorage: (_p, { sim }) => ({ storage: sim.controls.storage() }),
  getExceptions: (_p, { sim }) => ({ exceptions: sim.controls.exceptions() }),
  // the device (runtime/wx/device.ts)
  setTheme: (p, { sim }) => sim.controls.setTheme(p.theme),
  setAuthSetting: (p, { sim }) => ({ authSetting: sim.controls.setAuthSetting(p.authSetting ?? {}) }),
  answerAuthorize: (p, { sim }) => sim.controls.answerAuthorize(p.allow !== false),
  answerPayment: (p, { sim }) => sim.controls.answerPayment(p.paid !== false),
  getDialogs: (_p, { sim }) => ({ dialogs: sim.controls.dialogs() }),
  setUpdate: (p, { sim }) => sim.controls.setUpdate(p),
  getPages: (_p, { sim }) => sim.controls.pages(),
  getWindow: (_p, { sim }) => ({ window: sim.controls.window() }),
  setLocation: (p, { sim }) => ({ ...sim.controls.setLocation(p) }),
};
