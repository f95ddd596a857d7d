// The miniprogram-automator client's public methods, read from its own source (out/*.d.ts for the classes and their
// methods, out/*.js for the protocol calls each makes), and what the simulator does for each in headless mode.
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import type { Status } from '../runtime/wx/core';

export interface AutomatorMethod {
  /** "MiniProgram.callWxMethod" */
  name: string;
  /** protocol methods it sends ("App.callWxMethod"), Element.callFunction names ("input.input"), Tool.native ones */
  sends: string[];
}

const OUT = path.join(path.dirname(require.resolve('miniprogram-automator/package.json')), 'out');
const CLASS_FILES = ['Automator', 'MiniProgram', 'Page', 'Element', 'Native'];

/** Public instance methods of every exported class, in declaration order. */
export function readAutomatorMethods(): AutomatorMethod[] {
  const out: AutomatorMethod[] = [];
  for (const file of CLASS_FILES) {
    const dts = path.join(OUT, `${file}.d.ts`);
    const js = fs.readFileSync(path.join(OUT, `${file}.js`), 'utf8');
    const sf = ts.createSourceFile(dts, fs.readFileSync(dts, 'utf8'), ts.ScriptTarget.Latest, true);
    for (const stmt of sf.statements) {
      if (!ts.isClassDeclaration(stmt) || !stmt.name) continue;
      const cls = stmt.name.text;
      for (const m of stmt.members) {
        if (!ts.isMethodDeclaration(m) || !m.name) continue;
        const mods = ts.getCombinedModifierFlags(m);
        if (mods & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected | ts.ModifierFlags.Static)) continue;
        const method = m.name.getText(sf);
        if (out.some((o) => o.name === `${cls}.${method}`)) continue; // overloads
        out.push({ name: `${cls}.${method}`, sends: sendsOf(js, cls, method) });
      }
    }
  }
  return out;
}

/** The protocol calls in one method's body (minified source: `async name(...){...}` up to the next method). */
function sendsOf(js: string, cls: string, method: string): string[] {
  const classStart = js.search(new RegExp(`class ${cls}\\b`));
  if (classStart < 0) return [];
  const re = new RegExp(`(?:async )?${method.replace(/\$/g, '\\$')}\\([^)]*\\)\\{`, 'g');
  re.lastIndex = classStart;
  const m = re.exec(js);
  if (!m) return [];
  let depth = 0;
  let end = m.index + m[0].length - 1;
  for (; end < js.length; end++) {
    if (js[end] === '{') depth++;
    else if (js[end] === '}' && --depth === 0) break;
  }
  const body = js.slice(m.index, end);
  const found = new Set<string>();
  for (const s of body.matchAll(/send\("([\w.]+)"/g)) found.add(s[1]);
  for (const s of body.matchAll(/sendNative\("(\w+)"/g)) found.add(`Tool.native ${s[1]}`);
  for (const s of body.matchAll(/callFunction\("([\w.-]+)"/g)) found.add(`Element.callFunction ${s[1]}`);
  for (const s of body.matchAll(/getter\(\w+,"(\w+)"/g)) found.add(`Element.${s[1]}`);
  for (const s of body.matchAll(/domProperty\(/g)) if (s) found.add('Element.getDOMProperties');
  for (const s of body.matchAll(/callWxMethod\("(\w+)"/g)) found.add(`App.callWxMethod ${s[1]}`);
  for (const s of body.matchAll(/changeRoute\("(\w+)"/g)) found.add(`App.callWxMethod ${s[1]}`);
  return [...found];
}

export interface AutomatorVerdict {
  status: Status;
  note?: string;
}

/**
 * What each method does against the simulator (headless mode; `--render browser` notes where it differs). A method
 * of the client that is missing here fails the conformance test, so a new automator version gets looked at.
 */
export const AUTOMATOR_VERDICTS: Record<string, AutomatorVerdict> = {
  'Automator.launch': { status: 'supported', note: 'cliPath: simulator/cli.js; the client then sleeps 5 s (its own wait)' },
  'Automator.connect': { status: 'supported' },
  'MiniProgram.pageStack': { status: 'supported' },
  'MiniProgram.navigateTo': { status: 'supported', note: 'the client sleeps 3 s after each route; callWxMethod routes without it' },
  'MiniProgram.redirectTo': { status: 'supported' },
  'MiniProgram.navigateBack': { status: 'supported' },
  'MiniProgram.reLaunch': { status: 'supported' },
  'MiniProgram.switchTab': { status: 'supported', note: 'tab pages stay alive: the tab left hides, switching back shows the same page with its data' },
  'MiniProgram.currentPage': { status: 'supported' },
  'MiniProgram.systemInfo': { status: 'supported' },
  'MiniProgram.callWxMethod': { status: 'supported', note: 'every wx function below; async ones answer through success/fail as in DevTools' },
  'MiniProgram.mockWxMethod': { status: 'supported', note: 'also wx.cloud methods by dotted name (cloud.callFunction)' },
  'MiniProgram.restoreWxMethod': { status: 'supported' },
  'MiniProgram.callPluginWxMethod': { status: 'unsupported', note: 'plugins are not loaded by the simulator' },
  'MiniProgram.mockPluginWxMethod': { status: 'unsupported', note: 'plugins are not loaded by the simulator' },
  'MiniProgram.restorePluginWxMethod': { status: 'unsupported', note: 'plugins are not loaded by the simulator' },
  'MiniProgram.evaluate': { status: 'supported', note: 'in the app scope (wx, getApp, getCurrentPages, __sim); promises awaited' },
  'MiniProgram.pageScrollTo': { status: 'supported', note: 'moves the renderer\'s page; onPageScroll fires' },
  'MiniProgram.close': { status: 'supported' },
  'MiniProgram.remote': { status: 'unsupported', note: 'remote debugging needs WeChat on a phone' },
  'MiniProgram.disconnect': { status: 'supported' },
  'MiniProgram.on': { status: 'supported', note: 'console and exception events' },
  'MiniProgram.exposeFunction': { status: 'supported' },
  'MiniProgram.checkVersion': { status: 'supported' },
  'MiniProgram.screenshot': { status: 'unsupported', note: 'headless has no pixels: rejects saying so; --render browser takes it with Chromium' },
  'MiniProgram.testAccounts': { status: 'stubbed', note: 'an empty list: no WeChat test accounts' },
  'MiniProgram.stopAudits': { status: 'unsupported', note: 'DevTools\' audits panel' },
  'MiniProgram.getTicket': { status: 'unsupported', note: 'no WeChat login in the simulator' },
  'MiniProgram.setTicket': { status: 'stubbed', note: 'accepted, no login to use it' },
  'MiniProgram.refreshTicket': { status: 'stubbed', note: 'accepted, no login to use it' },
  'MiniProgram.native': { status: 'supported' },
  'Page.waitFor': { status: 'supported' },
  'Page.$': { status: 'supported', note: 'CSS selectors with DevTools\' scope (css-select over the component tree)' },
  'Page.$$': { status: 'supported' },
  'Page.getElementByXpath': { status: 'unsupported', note: 'XPath: use CSS selectors (the client answers null)' },
  'Page.getElementsByXpath': { status: 'unsupported', note: 'XPath: use CSS selectors' },
  'Page.xpath': { status: 'unsupported', note: 'XPath: use CSS selectors (the client answers null)' },
  'Page.data': { status: 'supported' },
  'Page.setData': { status: 'supported' },
  'Page.size': { status: 'supported', note: 'headless: the window size; browser: the laid-out page' },
  'Page.callMethod': { status: 'supported' },
  'Page.scrollTop': { status: 'supported', note: 'headless: where pageScrollTo put it' },
  'Element.$': { status: 'supported' },
  'Element.$$': { status: 'supported' },
  'Element.size': { status: 'stubbed', note: 'headless: 0 × 0 (no layout); real with --render browser' },
  'Element.offset': { status: 'stubbed', note: 'headless: 0, 0 (no layout); real with --render browser' },
  'Element.text': { status: 'supported' },
  'Element.attribute': { status: 'supported' },
  'Element.value': { status: 'supported' },
  'Element.property': { status: 'supported' },
  'Element.wxml': { status: 'supported' },
  'Element.outerWxml': { status: 'supported' },
  'Element.style': { status: 'stubbed', note: 'headless: inline styles only; computed with --render browser' },
  'Element.tap': { status: 'supported', note: 'touchstart, touchend, tap inside the user-gesture window' },
  'Element.longpress': { status: 'supported' },
  'Element.trigger': { status: 'supported' },
  'Element.touchstart': { status: 'supported' },
  'Element.touchmove': { status: 'supported' },
  'Element.touchend': { status: 'supported' },
  'Element.dispatchEvent': { status: 'supported' },
  'CustomElement.setData': { status: 'supported' },
  'CustomElement.data': { status: 'supported' },
  'CustomElement.callMethod': { status: 'supported' },
  'InputElement.input': { status: 'supported' },
  'TextareaElement.input': { status: 'supported' },
  'ScrollViewElement.scrollTo': { status: 'supported', note: 'fires scroll' },
  'ScrollViewElement.property': { status: 'stubbed', note: 'scrollTop/scrollLeft answer 0 headless' },
  'ScrollViewElement.scrollWidth': { status: 'stubbed', note: '0 headless' },
  'ScrollViewElement.scrollHeight': { status: 'stubbed', note: '0 headless' },
  'SwiperElement.swipeTo': { status: 'supported', note: 'fires change' },
  'MovableViewElement.moveTo': { status: 'unsupported', note: 'movable-view is not simulated' },
  'MovableViewElement.property': { status: 'supported', note: 'x/y read as properties' },
  'SwitchElement.tap': { status: 'supported', note: 'toggles, fires change' },
  'SliderElement.slideTo': { status: 'supported', note: 'fires change' },
  'ContextElement.callContextMethod': { status: 'unsupported', note: 'video/map contexts have no device behind them' },
  'Native.goHome': { status: 'supported' },
  'Native.navigateLeft': { status: 'supported' },
  'Native.confirmModal': { status: 'supported' },
  'Native.cancelModal': { status: 'supported' },
  'Native.switchTab': { status: 'supported' },
  'Native.authorizeCancel': { status: 'supported', note: 'answers the wx.authorize prompt' },
  'Native.authorizeAllow': { status: 'supported', note: 'answers the wx.authorize prompt' },
  'Native.closePaymentDialog': { status: 'supported', note: 'wx.requestPayment fails "cancel"' },
  'Native.shareCancel': { status: 'unsupported', note: 'no share sheet is simulated' },
  'Native.shareConfirm': { status: 'unsupported', note: 'no share sheet is simulated' },
};
