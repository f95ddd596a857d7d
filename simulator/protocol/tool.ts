// Tool domain: what DevTools itself answers (version, quit, native UI actions).
import type { DomainHandlers } from './dispatcher';
import { notAvailable } from './dispatcher';
import { SDK_VERSION } from '../runtime/types';

export const toolDomain: DomainHandlers<'Tool'> = {
  getInfo: (_p, { sim }) => ({ SDKVersion: SDK_VERSION, version: 'simulator', headless: sim.renderer.kind === 'headless', render: sim.renderer.kind }),
  close: (_p, ctx) => {
    ctx.requestClose();
    return {};
  },
  native: (p, { sim }) => {
    switch (p.method) {
      case 'confirmModal':
        return sim.answerModal(true);
      case 'cancelModal':
        return sim.answerModal(false);
      case 'navigateLeft':
        sim.app.route('navigateBack', { delta: 1 });
        return {};
      case 'goHome':
        sim.app.route('reLaunch', { url: `/${sim.project.entryPage}` });
        return {};
      case 'switchTab':
        sim.app.route('switchTab', { url: p.data?.url });
        return {};
      default:
        throw new Error(`Tool.native ${String(p.method)}: the simulator shows no such native dialog to act on`);
    }
  },
  getTestAccounts: () => ({ accounts: [] }),
  enableRemoteDebug: notAvailable('Remote debugging'),
  startAudits: notAvailable('Audits'),
  stopAudits: notAvailable('Audits'),
  getTicket: () => {
    throw new Error('Tool.getTicket: the simulator has no WeChat login');
  },
  setTicket: () => ({}),
  refreshTicket: () => ({}),
};
