// Text contrast of the checkout page in WeChat's light and dark themes (WCAG 2.1 AA: at least 4.5:1 for text, 3:1
// for graphics), computed from the wxss and theme.json: every text on the rendered page (the real WXML rendered by
// the simulator, in every state) gets its colour and background by the cascade of app.wxss and the page's wxss,
// with the theme's variables (test/unit/wxss-contrast.ts). Prints the figures. test/browser/contrast.test.ts
// measures the same in Chromium.
import { ICON_COLORS, type ThemeName } from '../../miniprogram/lib/theme';
import { allStates, startPageRenderer, type PageRenderer, type RenderedState } from './rendered-page';
import { contrast, hex, loadPageStyles, over, pairsOf, parseColor, parseWxss, Theme, type El, type Pair, type Rule } from './wxss-contrast';

jest.setTimeout(60000);

let renderer: PageRenderer;
const rendered: RenderedState[] = [];
let rules: Rule[];
let themeJson: Record<ThemeName, Record<string, string>>;

beforeAll(async () => {
  ({ rules, themeJson } = await loadPageStyles());
  renderer = await startPageRenderer();
  for (const state of allStates()) rendered.push(await renderer.render(state));
});
afterAll(async () => {
  await renderer?.close();
});

test('every text on the page, in every state, has at least 4.5:1 against its background in both themes', () => {
  const pairs = new Map<string, Pair>();
  const exempt = new Set<string>();
  for (const name of ['light', 'dark'] as ThemeName[]) {
    const theme = new Theme(name, rules);
    for (const r of rendered.filter((x) => x.state.theme === name)) pairsOf(r, theme, pairs, exempt);
  }
  // the navigation bar: app.json's window colours from theme.json
  for (const name of ['light', 'dark'] as ThemeName[]) {
    const t = themeJson[name];
    const fg = parseColor(t.navTxtStyle === 'white' ? '#ffffff' : '#000000')!;
    const bg = parseColor(t.navBgColor)!;
    pairs.set(`${name}|nav`, { theme: name, element: 'navigation bar (theme.json)', fg: hex(fg), bg: hex(bg), ratio: contrast(fg, bg), min: 4.5, states: new Set(['every']) });
  }
  const list = Array.from(pairs.values()).sort((a, b) => a.theme.localeCompare(b.theme) || a.ratio - b.ratio);
  const lines = list.map((p) => `${p.theme.padEnd(5)}  ${p.ratio.toFixed(2).padStart(5)}:1 (min ${p.min})  ${p.fg} on ${p.bg}  ${p.element}  [${p.states.size} state${p.states.size > 1 ? 's' : ''}]`);
  console.log(`contrast of every text/background pair (WCAG 2.1; ${rendered.length} rendered states):\n${lines.join('\n')}\nexempt (inactive controls): ${Array.from(exempt).join(', ') || 'none'}`);
  const failing = list.filter((p) => p.ratio < p.min).map((p) => `${p.theme} ${p.element}: ${p.fg} on ${p.bg} is ${p.ratio.toFixed(2)}:1 (in ${Array.from(p.states)[0]})`);
  expect(failing).toEqual([]);
  // both themes were measured, with their own colours
  expect(list.filter((p) => p.theme === 'dark').length).toBeGreaterThan(5);
  expect(new Set(list.filter((p) => p.element.includes('status__text')).map((p) => p.bg)).size).toBeGreaterThanOrEqual(2);
});

test('the success icon\'s colour per theme is the one the page binds', () => {
  const paid = rendered.filter((r) => r.state.phase === 'paid');
  for (const r of paid) expect(r.wxml).toContain(`color="${ICON_COLORS[r.state.theme]}"`);
});

test('the contrast arithmetic (WCAG examples): black on white 21:1, #777 on white 4.48:1', () => {
  expect(contrast([0, 0, 0, 1], [255, 255, 255, 1])).toBeCloseTo(21, 5);
  expect(contrast(parseColor('#777777')!, parseColor('#ffffff')!)).toBeCloseTo(4.48, 2);
  expect(hex(over(parseColor('rgba(0, 0, 0, 0.5)')!, [255, 255, 255, 1]))).toBe('#808080');
});

test('the cascade: the dark block overrides the page variables; a later, more specific rule wins', () => {
  const sample = parseWxss('page{--c:#111;color:var(--c)} @media (prefers-color-scheme: dark){page{--c:#eee}} .a{color:#222} .b.a{color:#333} .a{background:#fff url(x.png)}', 0);
  const leaf: El = { tag: 'view', classes: ['a', 'b'], id: '', parent: { tag: 'page', classes: [], id: '', parent: null } };
  const plain: El = { tag: 'text', classes: [], id: '', parent: leaf.parent };
  expect(hex(new Theme('light', sample).color(plain))).toBe('#111111');
  expect(hex(new Theme('dark', sample).color(plain))).toBe('#eeeeee');
  expect(hex(new Theme('light', sample).color(leaf))).toBe('#333333');
  expect(hex(new Theme('light', sample).background(leaf))).toBe('#ffffff');
});
