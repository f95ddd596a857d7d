// page.$ / element.$ with DevTools' semantics: case-insensitive tags, quoted attribute values, selector lists,
// combinators and pseudo-classes on the page as rendered, and the scope rules for custom components and their slots.
import type Page from 'miniprogram-automator/out/Page';
import type Element from 'miniprogram-automator/out/Element';
import { openSession, relaunch, type Session, SESSION_TIMEOUT_MS } from './helpers';

let session: Session;
let page: Page;

beforeAll(async () => {
  session = await openSession();
  page = await relaunch(session.miniProgram, '/pages/selectors/selectors');
}, SESSION_TIMEOUT_MS);
afterAll(() => session.close());

async function texts(elements: Element[]): Promise<string[]> {
  return Promise.all(elements.map((e) => e.text()));
}

describe('selectors', () => {
  it('match tag names case-insensitively and report them in lower case', async () => {
    const sheet = await page.$('mp-actionsheet');
    expect(sheet).not.toBeNull();
    expect(sheet!.tagName).toBe('mp-actionsheet');
    expect(await page.$('MP-ActionSheet')).toBe(sheet);
    expect(await page.$('mp-actionSheet#sheet')).toBe(sheet);
    expect((await page.$$('VIEW.row')).length).toBe(3);
  });

  it('take quoted attribute values with spaces, commas and brackets', async () => {
    expect(await (await page.$('[data-label="a b"]'))!.text()).toBe('one');
    expect(await (await page.$('.row[data-label="c, d"]'))!.text()).toBe('two');
    expect(await (await page.$("[data-label='e]f']"))!.text()).toBe('three');
    expect(await texts(await page.$$('[data-label^="a"], [data-label*=","]'))).toEqual(['one', 'two']);
    expect(await (await page.$('mp-actionsheet[title="Pick, one"]'))!.attribute('title')).toBe('Pick, one');
  });

  it('selector lists come back in screen order, each element once', async () => {
    expect(await texts(await page.$$('.tail, .row, .row:first-child'))).toEqual(['one', 'two', 'three', 'x']);
  });

  it('combinators see through wx:for and block: descendant, child, next and later sibling', async () => {
    expect((await page.$$('.sel-page .row')).length).toBe(3);
    expect((await page.$$('.list > .row')).length).toBe(3);
    expect((await page.$$('.sel-page > .row')).length).toBe(0);
    expect(await texts(await page.$$('.row + .row'))).toEqual(['two', 'three']);
    expect(await texts(await page.$$('.row:first-child ~ .row'))).toEqual(['two', 'three']);
    expect((await page.$$('.list + mp-actionsheet')).length).toBe(1);
  });

  it('pseudo-classes', async () => {
    expect(await (await page.$('.row:first-child'))!.text()).toBe('one');
    expect(await (await page.$('.row:last-child'))!.text()).toBe('three');
    expect(await (await page.$('.row:nth-child(2)'))!.text()).toBe('two');
    expect(await texts(await page.$$('.row:nth-child(odd)'))).toEqual(['one', 'three']);
    expect(await texts(await page.$$('.row:not(:first-child)'))).toEqual(['two', 'three']);
    expect(await texts(await page.$$('.row:nth-last-child(1), .t:only-of-type'))).toEqual(['three', 'x']);
    expect((await page.$$('.tail > :empty')).length).toBe(1);
    expect((await page.$$('view:has(> .row)')).length).toBe(1);
    expect(await texts(await page.$$('.row:is([data-label="a b"], [data-label="e]f"])'))).toEqual(['one', 'three']);
  });

  it('page.$ finds what the page wrote, slotted children included, not a component\'s own template', async () => {
    expect(await texts(await page.$$('.slotted'))).toEqual(['A', 'B']);
    expect(await page.$('.sheet-title')).toBeNull();
    expect((await page.$$('.sheet-btn')).length).toBe(0);
    // the slotted children sit where their slot is, as on screen
    expect(await texts(await page.$$('mp-actionsheet .slotted'))).toEqual(['A', 'B']);
  });

  it('element.$ on a custom component reaches its template and its slotted children, in screen order', async () => {
    const sheet = (await page.$('mp-actionsheet'))!;
    expect(await (await sheet.$('.sheet-title'))!.text()).toBe('Pick, one');
    expect(await texts(await sheet.$$('.slotted'))).toEqual(['A', 'B']);
    expect(await texts(await sheet.$$('.sheet-body > .slotted'))).toEqual(['A', 'B']);
    expect(await texts(await sheet.$$('.sheet-btn:last-child, .slotted.second'))).toEqual(['B', 'Cancel']);
    const order = await Promise.all((await sheet.$$('view')).map((v: Element) => v.attribute('class')));
    expect(order).toEqual(['sheet', 'sheet-title', 'sheet-body', 'slotted first', 'slotted second', 'sheet-btn', 'sheet-btn']);
  });

  it('element.$ on a builtin element stays in its own template; nested components are entered one at a time', async () => {
    const list = (await page.$('.list'))!;
    expect((await list.$$('.row')).length).toBe(3);
    expect(await list.$('.slotted')).toBeNull();
    const tree = (await page.$('#tree'))!;
    expect(await texts(await tree.$$('.tree-name'))).toEqual(['root']);
    const children = await tree.$$('tree-node');
    expect(children.map((c: Element) => c.tagName)).toEqual(['tree-node', 'tree-node']);
    expect(await (await children[1].$('.tree-name'))!.text()).toBe('leaf-2');
    expect(await (await (await children[1].$('tree-node'))!.$('.tree-name'))!.text()).toBe('leaf-2-1');
  });

  it('a selector that does not parse is a clear error', async () => {
    await expect(page.$$('.row[data-label')).rejects.toThrow(/unsupported selector "\.row\[data-label"/);
    await expect(page.$$('')).rejects.toThrow(/selector must be a non-empty string/);
  });
});
