// The conformance table of simulator/README.md: every miniprogram-automator client method and every wx function of
// miniprogram-api-typings, each supported / stubbed / not possible, computed from the client's source, the typings
// and the simulator's own wx definitions (runtime/wx/). `npm run sim:conformance` writes it; a test recomputes it.
import path from 'node:path';
import { describeWx } from '../runtime/wx';
import { CATALOG } from '../runtime/wx/catalog';
import type { Status } from '../runtime/wx/core';
import { loadProject } from '../runtime/project';
import { Simulation } from '../runtime/simulation';
import { HeadlessRenderer } from '../render/headless';
import { AUTOMATOR_VERDICTS, readAutomatorMethods } from './automator';

export const START = '<!-- conformance:start (npm run sim:conformance writes this section) -->';
export const END = '<!-- conformance:end -->';

const LABEL: Record<Status, string> = { supported: 'supported', stubbed: 'stubbed', unsupported: 'not possible' };

export interface WxRow {
  name: string;
  kind: string;
  since?: string;
  status: Status;
  note?: string;
  /** in the base library but not in the typings (deprecated APIs apps still call) */
  extra?: boolean;
}

export interface Conformance {
  automator: { name: string; status: Status; note?: string; sends: string[] }[];
  wx: WxRow[];
  counts: { automator: Record<Status, number>; wx: Record<Status, number>; extras: number };
}

/** The simulator's wx definitions, from a headless launch of a minimal app (the definitions do not depend on it). */
export async function wxDefinitions(): Promise<Map<string, { status: Status; note?: string }>> {
  const project = loadProject(path.join(__dirname, 'probe-app'));
  const sim = new Simulation({ project, handlers: {}, log: () => undefined, renderer: new HeadlessRenderer() });
  await sim.start();
  try {
    return describeWx(sim.app.wx);
  } finally {
    sim.close();
  }
}

function tally(statuses: Status[]): Record<Status, number> {
  const out: Record<Status, number> = { supported: 0, stubbed: 0, unsupported: 0 };
  for (const s of statuses) out[s]++;
  return out;
}

export async function computeConformance(): Promise<Conformance> {
  const automator = readAutomatorMethods().map((m) => {
    const verdict = AUTOMATOR_VERDICTS[m.name];
    if (!verdict) throw new Error(`miniprogram-automator's ${m.name} has no verdict in simulator/conformance/automator.ts: say what the simulator does for it`);
    return { name: m.name, status: verdict.status, note: verdict.note, sends: m.sends };
  });
  const defs = await wxDefinitions();
  const wx: WxRow[] = [];
  for (const [name, entry] of Object.entries(CATALOG.functions)) {
    const def = defs.get(name);
    if (!def) throw new Error(`wx.${name} (miniprogram-api-typings) is missing from the simulator's wx object`);
    wx.push({ name, kind: entry.kind, since: entry.since, status: def.status, note: def.note });
  }
  const extras = [...defs].filter(([name]) => !CATALOG.functions[name]);
  for (const [name, def] of extras) wx.push({ name, kind: 'sync', status: def.status, note: def.note, extra: true });
  return {
    automator,
    wx,
    counts: {
      automator: tally(automator.map((a) => a.status)),
      wx: tally(wx.filter((w) => !w.extra).map((w) => w.status)),
      extras: extras.length,
    },
  };
}

function cell(text: string | undefined): string {
  return (text ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function summary(c: Record<Status, number>): string {
  const total = c.supported + c.stubbed + c.unsupported;
  return `${total}: ${c.supported} supported, ${c.stubbed} stubbed, ${c.unsupported} not possible`;
}

export function countsLine(c: Conformance): string {
  return `automator client methods ${summary(c.counts.automator)}; wx functions (miniprogram-api-typings ${CATALOG.typingsVersion}) ${summary(c.counts.wx)}${c.counts.extras ? `; plus ${c.counts.extras} base-library APIs the typings lack` : ''}`;
}

/** The README section between START and END. */
export function renderMarkdown(c: Conformance): string {
  const lines = [
    START,
    '',
    `Counts: ${countsLine(c)}.`,
    '',
    '- **supported**: does what WeChat does on a phone, observably (results, events, recorded UI, real network).',
    '- **stubbed**: present and accepted, with a fixed or neutral answer where a phone would involve a device or a screen (media contexts, sensors that never change, sizes headless).',
    '- **not possible**: fails as WeChat fails, `<name>:fail not supported in the simulator` through `fail`/`complete` and a rejected promise (sync ones throw an Error with that message); mock it with `miniProgram.mockWxMethod`.',
    '',
    '### miniprogram-automator client',
    '',
    '| method | status | sends | note |',
    '|---|---|---|---|',
    ...c.automator.map((a) => `| \`${a.name}\` | ${LABEL[a.status]} | ${cell(a.sends.join(', '))} | ${cell(a.note)} |`),
    '',
    `### wx (miniprogram-api-typings ${CATALOG.typingsVersion})`,
    '',
    'kind: async (success/fail/complete, and a promise unless it returns a task), sync, listener (on/off), factory (returns an object), object (a property of wx). Listeners of events the simulator never produces are stubbed.',
    '',
    '| wx | kind | since | status | note |',
    '|---|---|---|---|---|',
    ...c.wx.filter((w) => !w.extra).map((w) => `| \`${w.name}\` | ${w.kind} | ${w.since ?? ''} | ${LABEL[w.status]} | ${cell(w.note)} |`),
  ];
  const extras = c.wx.filter((w) => w.extra);
  if (extras.length) {
    lines.push('', 'In the base library but not in the typings (deprecated APIs apps still call):', '', '| wx | status | note |', '|---|---|---|');
    lines.push(...extras.map((w) => `| \`${w.name}\` | ${LABEL[w.status]} | ${cell(w.note)} |`));
  }
  lines.push('', END);
  return lines.join('\n');
}

/** README text with the section replaced (or appended at the end when absent). */
export function withSection(readme: string, section: string): string {
  const a = readme.indexOf(START);
  const b = readme.indexOf(END);
  if (a >= 0 && b > a) return readme.slice(0, a) + section + readme.slice(b + END.length);
  return `${readme.trimEnd()}\n\n## Conformance\n\n${section}\n`;
}
