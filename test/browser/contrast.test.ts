// Text contrast measured on the rendered page (WCAG 2.1 AA), in Chromium: the checkout page in every state a payer can
// see (each phase with each message it can show, as test/unit/rendered-page.ts renders them), in WeChat's light and
// dark themes (the phone switched with __sim.setTheme, the page following it), plus the navigation bar and the pay
// mini program's stand-in. Every text node on screen gets its computed colour and the background really behind it
// (the backgrounds of its ancestors, through the page's iframe into WeChat's frame, composited with their alpha and
// opacity); the ratio must be at least 4.5:1, or 3:1 for large text and for graphics (the result icon). Disabled
// controls are exempt, as WCAG 1.4.3 says. The table of figures is printed: the lowest per state and theme.
// test/unit/contrast.test.ts computes the same pairs from the wxss alone; the two are compared in the last test.
import { payPageScreen } from '../../sandbox/preview-pay-page';
import type { BrowserRenderer } from '../../simulator/render/browser';
import { allStates, startPageRenderer, stateName, type PageRenderer, type RenderedState } from '../unit/rendered-page';
import { loadPageStyles, pairsOf, Theme as ComputedTheme, type Pair } from '../unit/wxss-contrast';
import { requireChromium } from './helpers';

jest.setTimeout(120_000);

type Theme = 'light' | 'dark';

/** One text (or graphic) on screen, as measured in Chromium. */
interface Measured {
  text: string;
  /** tag#id.class of the element that holds it (WeChat's tag names, without wx-) */
  element: string;
  fg: string;
  bg: string;
  ratio: number;
  /** 4.5, or 3 for large text and graphics */
  min: number;
  /** why WCAG does not ask for contrast here (a disabled control), if it does not */
  exempt?: string;
}

/**
 * Runs in Chromium's phone page: measures every text node of the shown mini program page, of WeChat's navigation bar
 * and of another mini program's screen, and the result icon's colour. Self-contained (it is sent as source).
 */
function measureScreen(): Measured[] {
  type Rgba = [number, number, number, number];
  const parse = (value: string): Rgba | null => {
    const m = /rgba?\(([^)]+)\)/.exec(value);
    if (!m) return null;
    const p = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top: Rgba, bottom: Rgba): Rgba => {
    const a = top[3];
    return [top[0] * a + bottom[0] * (1 - a), top[1] * a + bottom[1] * (1 - a), top[2] * a + bottom[2] * (1 - a), 1];
  };
  const luminance = (c: Rgba) => {
    const lin = (v: number) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2]);
  };
  const ratioOf = (a: Rgba, b: Rgba) => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  const hex = (c: Rgba) => `#${c.slice(0, 3).map((n) => Math.round(n).toString(16).padStart(2, '0')).join('')}`;
  const style = (e: Element) => (e.ownerDocument.defaultView as Window).getComputedStyle(e);
  const describe = (e: Element) => `${e.localName.replace(/^wx-/, '')}${e.id ? `#${e.id}` : ''}${Array.from(e.classList).map((c) => `.${c}`).join('')}`;
  /** the element and everything it is painted on: its ancestors, then the iframe's ancestors in WeChat's frame */
  const chain = (e: Element): Element[] => {
    const out: Element[] = [];
    for (let n: Element | null = e; n; ) {
      out.push(n);
      n = n.parentElement ?? ((n.ownerDocument.defaultView as Window).frameElement as Element | null);
    }
    return out;
  };
  /** what an element's own paint is multiplied by: its opacity and every ancestor's */
  const opacity = (c: Element[], from: number) => c.slice(from).reduce((a, e) => a * Number(style(e).opacity), 1);
  const background = (e: Element): Rgba => {
    const c = chain(e);
    let painted: Rgba = [255, 255, 255, 1];
    for (let i = c.length - 1; i >= 0; i--) {
      const bg = parse(style(c[i]).backgroundColor);
      if (bg && bg[3] > 0) painted = over([bg[0], bg[1], bg[2], bg[3] * opacity(c, i)], painted);
    }
    return painted;
  };
  const visible = (e: Element) => e.getClientRects().length > 0 && style(e).visibility === 'visible';

  const out: Measured[] = [];
  const roots: Element[] = [];
  const frame = document.querySelector('iframe.page-frame.shown') as HTMLIFrameElement | null;
  const foreign = document.getElementById('foreign') as HTMLElement;
  if (foreign && !foreign.hidden) roots.push(foreign);
  else if (frame?.contentDocument) roots.push(frame.contentDocument.body);
  const nav = document.getElementById('nav-bar') as HTMLElement;
  if (nav && !nav.hidden) roots.push(nav);
  for (const root of roots) {
    const doc = root.ownerDocument;
    const walker = doc.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = (node.textContent ?? '').trim();
      const el = node.parentElement;
      if (!text || !el) continue;
      const range = doc.createRange();
      range.selectNodeContents(node);
      if (!range.getClientRects().length || !visible(el)) continue;
      const cs = style(el);
      const bg = background(el);
      const colour = parse(cs.color) ?? [0, 0, 0, 1];
      const fg = over([colour[0], colour[1], colour[2], colour[3] * opacity(chain(el), 0)], bg);
      const size = parseFloat(cs.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(cs.fontWeight) >= 700);
      const disabled = el.closest('[disabled], [aria-disabled="true"]');
      out.push({
        text,
        element: describe(el),
        fg: hex(fg),
        bg: hex(bg),
        ratio: ratioOf(fg, bg),
        min: large ? 3 : 4.5,
        ...(disabled ? { exempt: `${describe(disabled)} is disabled` } : {}),
      });
    }
    // graphics that carry meaning: the result icon (3:1 against what is behind it)
    for (const icon of Array.from(root.querySelectorAll('wx-icon'))) {
      const shape = icon.querySelector('svg circle, svg path');
      const fill = shape && (shape.getAttribute('fill') !== 'none' ? shape.getAttribute('fill') : shape.getAttribute('stroke'));
      const probe = fill ? icon.ownerDocument.createElement('i') : null;
      if (!probe || !visible(icon)) continue;
      probe.style.color = fill as string;
      icon.appendChild(probe);
      const c = parse(style(probe).color) ?? [0, 0, 0, 1];
      probe.remove();
      const bg = background(icon);
      const fg = over(c, bg);
      out.push({ text: '(icon)', element: `${describe(icon)} (graphic)`, fg: hex(fg), bg: hex(bg), ratio: ratioOf(fg, bg), min: 3 });
    }
  }
  return out;
}

interface StateFigures {
  state: string;
  theme: Theme;
  measured: Measured[];
  /** the page's rendered WXML (the app's states; not the stand-in) */
  rendered?: RenderedState;
}

let pages: PageRenderer;
let browser: BrowserRenderer;
const figures: StateFigures[] = [];

const setTheme = (theme: Theme) => pages.miniProgram.evaluate((t: Theme) => __sim.setTheme(t), theme);

beforeAll(async () => {
  requireChromium();
  pages = await startPageRenderer({ render: 'browser' });
  browser = pages.simulator.renderer as BrowserRenderer;
  await browser.whenReady();
  for (const state of allStates()) {
    const rendered = await pages.render(state);
    figures.push({ state: stateName(state), theme: state.theme, measured: await browser.evaluate(measureScreen, undefined), rendered });
  }
  // the pay mini program's stand-in, as the preview and the README show it
  void browser.screen.showForeign(payPageScreen({ appId: 'wx959c8c1fb2d89988', extraData: { body: '会员月卡', total_fee: 1990, mchid: 'dev-mch-0001' } }));
  for (const theme of ['light', 'dark'] as Theme[]) {
    await setTheme(theme);
    figures.push({ state: `pay mini program stand-in (${theme})`, theme, measured: await browser.evaluate(measureScreen, undefined) });
  }
  browser.screen.dropForeign();
  await setTheme('light');
});

afterAll(async () => {
  await pages?.close();
});

const fmt = (m: Measured) => `${m.ratio.toFixed(2).padStart(5)}:1 (min ${m.min})  ${m.fg} on ${m.bg}  ${m.element} "${m.text.slice(0, 16)}"`;

test('every text on screen, in every state and both themes, has at least 4.5:1 (3:1 large text and graphics), measured in Chromium', () => {
  const lines: string[] = [];
  const failing: string[] = [];
  for (const { state, measured } of figures) {
    const counted = measured.filter((m) => !m.exempt);
    const lowest = counted.reduce<Measured | undefined>((low, m) => (!low || m.ratio / m.min < low.ratio / low.min ? m : low), undefined);
    const exempt = measured.filter((m) => m.exempt).map((m) => m.exempt);
    lines.push(`${state.padEnd(44)} ${counted.length} texts; lowest ${lowest ? fmt(lowest) : '-'}${exempt.length ? `; exempt: ${[...new Set(exempt)].join(', ')}` : ''}`);
    for (const m of counted) if (m.ratio < m.min) failing.push(`${state}: ${fmt(m)}`);
  }
  const perTheme = (['light', 'dark'] as Theme[]).map((theme) => {
    const all = figures.filter((f) => f.theme === theme).flatMap((f) => f.measured.filter((m) => !m.exempt).map((m) => ({ ...m, state: f.state })));
    const text = all.filter((m) => m.min === 4.5).sort((a, b) => a.ratio - b.ratio)[0];
    const large = all.filter((m) => m.min === 3).sort((a, b) => a.ratio - b.ratio)[0];
    return `${theme}: text ${text ? `${fmt(text)} in ${text.state}` : '-'}; large text/graphics ${large ? `${fmt(large)} in ${large.state}` : '-'}`;
  });
  console.log(`rendered contrast (WCAG 2.1, measured in Chromium; ${figures.length} screens):\n${lines.join('\n')}\nlowest per theme:\n${perTheme.join('\n')}`);
  expect(failing).toEqual([]);
  // both themes were measured on screens that really differ, and every state showed text
  for (const f of figures) expect(f.measured.length).toBeGreaterThan(2);
  const statusBackgrounds = new Set(figures.flatMap((f) => f.measured.filter((m) => m.element.includes('#pay-status')).map((m) => m.bg)));
  expect(statusBackgrounds.size).toBeGreaterThanOrEqual(2);
  // the disabled pay button (while the jump opens) was seen and exempted, not skipped
  expect(figures.some((f) => f.measured.some((m) => m.exempt && m.element.includes('#pay-button')))).toBe(true);
});

test('paints the colour pairs computed from the wxss alone (test/unit/contrast.test.ts), element by element', async () => {
  // what the unit test computes for the same rendered states: per theme and element, the foreground/background pairs
  const { rules } = await loadPageStyles();
  const computed = new Map<string, Pair>();
  const exempt = new Set<string>();
  const themes = { light: new ComputedTheme('light', rules), dark: new ComputedTheme('dark', rules) };
  for (const f of figures) if (f.rendered) pairsOf(f.rendered, themes[f.theme], computed, exempt);
  const pairsBy = (entries: { theme: string; element: string; fg: string; bg: string }[]) => {
    const out = new Map<string, Set<string>>();
    for (const e of entries) {
      const key = `${e.theme} ${e.element.replace(/ \(graphic\)$/, '')}`;
      if (!out.has(key)) out.set(key, new Set());
      out.get(key)!.add(`${e.fg} on ${e.bg}`);
    }
    return out;
  };
  const fromWxss = pairsBy([...computed.values()].map((p) => ({ ...p, element: p.element })));
  const fromChromium = pairsBy(
    figures.filter((f) => f.rendered).flatMap((f) => f.measured.filter((m) => !m.exempt && !m.element.startsWith('span#nav-')).map((m) => ({ ...m, theme: f.theme }))),
  );
  const disagreements: string[] = [];
  for (const key of new Set([...fromWxss.keys(), ...fromChromium.keys()])) {
    const a = [...(fromWxss.get(key) ?? [])].sort().join(', ');
    const b = [...(fromChromium.get(key) ?? [])].sort().join(', ');
    if (a !== b) disagreements.push(`${key}: computed ${a || 'nothing'}; painted ${b || 'nothing'}`);
  }
  console.log(`computed (wxss) and painted (Chromium) pairs of ${fromChromium.size} elements (per theme): ${disagreements.length ? `disagree:\n${disagreements.join('\n')}` : 'the same'}`);
  expect(disagreements).toEqual([]);
});

test('the measurement notices low contrast: a grey footnote on the grey page fails', async () => {
  await pages.render(allStates()[0]);
  const measured = await browser.evaluate(() => {
    const doc = (document.querySelector('iframe.page-frame.shown') as HTMLIFrameElement).contentDocument!;
    const footnote = doc.querySelector('.footnote') as HTMLElement;
    footnote.style.color = '#aaaaaa';
    return footnote.textContent;
  }, undefined);
  expect(measured).toContain('支付');
  const footnote = (await browser.evaluate(measureScreen, undefined)).find((m) => m.element.includes('footnote'))!;
  await browser.evaluate(() => {
    const doc = (document.querySelector('iframe.page-frame.shown') as HTMLIFrameElement).contentDocument!;
    (doc.querySelector('.footnote') as HTMLElement).style.color = '';
  }, undefined);
  expect(footnote.ratio).toBeLessThan(4.5);
});
