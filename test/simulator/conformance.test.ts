// The conformance table in simulator/README.md is what the simulator does: recomputed from the automator client's
// source, the typings and the simulator's wx definitions, and compared with the README (npm run sim:conformance
// rewrites both). What the table calls "not possible" on the client fails with a message through the real client.
import fs from 'node:fs';
import automator from 'miniprogram-automator';
import { startSimulator } from '../../simulator';
import { CATALOG } from '../../simulator/runtime/wx/catalog';
import { computeConformance, countsLine, renderMarkdown, START, END } from '../../simulator/conformance/table';
import { catalogText, CATALOG_FILE, README } from '../../simulator/conformance/write';
import { FIXTURE } from './helpers';

const STALE = 'run `npm run sim:conformance` and commit the result';

describe('conformance table', () => {
  it('the wx catalog is the installed miniprogram-api-typings\'', () => {
    expect({ file: fs.readFileSync(CATALOG_FILE, 'utf8') === catalogText(), hint: STALE }).toEqual({ file: true, hint: STALE });
  });

  it('simulator/README.md holds the table as computed now, and every typings function is on wx', async () => {
    const conformance = await computeConformance(); // throws if a wx function or an automator verdict is missing
    expect(conformance.wx.filter((w) => !w.extra)).toHaveLength(Object.keys(CATALOG.functions).length);
    const readme = fs.readFileSync(README, 'utf8');
    const section = readme.slice(readme.indexOf(START), readme.indexOf(END) + END.length);
    expect({ upToDate: section === renderMarkdown(conformance), hint: STALE }).toEqual({ upToDate: true, hint: STALE });
    // printed for the record: the figures the README states
    process.stdout.write(`conformance: ${countsLine(conformance)}\n`);
  });

  it('client methods marked "not possible" reject with a message that says why', async () => {
    const sim = await startSimulator({ projectPath: FIXTURE, port: 0 });
    const mp = await automator.connect({ wsEndpoint: sim.wsEndpoint });
    try {
      const page = (await mp.currentPage())!;
      await expect(mp.callPluginWxMethod('wxplugin', 'getStorageSync', 'k')).rejects.toThrow(/plugins/);
      await expect(mp.screenshot()).rejects.toThrow(/--render browser/);
      await expect(mp.getTicket()).rejects.toThrow(/login/);
      await expect(mp.stopAudits()).rejects.toThrow(/DevTools/);
      // getElementByXpath / xpath answer null on any error (the client catches it); getElementsByXpath passes it on
      expect(await page.xpath('//view')).toBeNull();
      await expect(page.getElementsByXpath('//view')).rejects.toThrow(/XPath/);
      await expect(mp.native().shareConfirm()).rejects.toThrow(/share/);
    } finally {
      mp.disconnect();
      await sim.close();
    }
  });
});
