// Page and Element domains against the fixture's index page: WXML rendered by wcc + exparser, selectors, text,
// taps with bubbling, setData re-rendering, custom components.
import type Page from 'miniprogram-automator/out/Page';
import type { InputElement, TextareaElement } from 'miniprogram-automator/out/Element';
import { openSession, relaunch, textOf, waitFor, events, clearEvents, INDEX, type Session, SESSION_TIMEOUT_MS } from './helpers';

/** the runtime's wx, inside evaluate(): only what these specs call */
interface SelectorQuery {
  select(selector: string): { fields(fields: object): SelectorQuery };
  exec(callback: (results: unknown[]) => void): void;
}
declare const wx: { createSelectorQuery(): SelectorQuery };

let session: Session;
let page: Page;

beforeAll(async () => {
  session = await openSession();
}, SESSION_TIMEOUT_MS);
afterAll(() => session.close());
beforeEach(async () => {
  page = await relaunch(session.miniProgram);
});

describe('rendering and selectors', () => {
  it('renders the template with data, wx:for, wx:if, wxs and hidden', async () => {
    expect(page.path).toBe(INDEX);
    expect(await textOf(page, '#title')).toBe('Fixture');
    expect(await textOf(page, '#count')).toBe('Count: 0');
    expect(await textOf(page, '#extra')).toBe('Price 12.34');
    const text = await (await page.$('.page'))!.text();
    expect(text).toContain('apple\nbanana');
    expect(text).not.toContain('Hidden');
  });

  it('finds elements by tag, class, id, attribute and combinators', async () => {
    expect((await page.$$('.item')).length).toBe(2);
    expect((await page.$$('.list > .item')).length).toBe(2);
    expect((await page.$$('.page > .item')).length).toBe(0);
    expect((await page.$$('.page .item')).length).toBe(2);
    expect((await page.$$('view.btn.primary')).length).toBe(1);
    expect(await (await page.$('[data-id="2"]'))!.text()).toBe('banana');
    expect((await page.$$('navigator[target=miniProgram]')).length).toBe(2);
    expect((await page.$$('button')).map((b: { tagName: string }) => b.tagName)).toEqual(['button', 'button', 'button']);
    expect(await page.$('#does-not-exist')).toBeNull();
    const outer = await page.$('#outer');
    expect((await outer!.$$('.btn')).length).toBe(2);
    expect(await (await outer!.$('.primary'))!.text()).toBe('Inner');
  });

  it('reads attributes, wxml, styles and properties', async () => {
    const item = await page.$('.item');
    expect(await item!.attribute('data-id')).toBe('1');
    expect(await item!.attribute('class')).toBe('item');
    const nav = await page.$('#nav-detail');
    expect(await nav!.attribute('url')).toBe('/pages/detail/detail?from=index&n=2');
    expect(await (await page.$('#inner'))!.outerWxml()).toBe('<view id="inner" class="btn primary" data-item-id="7">Inner</view>');
    expect(await (await page.$('.list'))!.wxml()).toContain('<view class="item" data-id="2">banana</view>');
    expect(await (await page.$('#name-input'))!.property('value')).toBe('');
    expect(await item!.offset()).toEqual({ left: 0, top: 0 });
  });

  it('page data, setData, callMethod re-render the view', async () => {
    expect(await page.data('items[1].name')).toBe('banana');
    await page.setData({ title: 'Changed', 'items[0].name': 'apricot', showExtra: false });
    expect(await textOf(page, '#title')).toBe('Changed');
    expect(await (await page.$('.item'))!.text()).toBe('apricot');
    expect(await page.$('#extra')).toBeNull();
    expect(await page.callMethod('add', 5)).toBe(5);
    expect(await textOf(page, '#count')).toBe('Count: 5');
    await expect(page.callMethod('noSuchMethod')).rejects.toThrow(/has no method "noSuchMethod"/);
  });

  it('keeps element ids while the node lives and says when it is gone', async () => {
    const extra = await page.$('#extra');
    const again = await page.$('#extra');
    expect(again).toBe(extra); // same elementId -> the client hands back the same object
    await page.setData({ showExtra: false });
    await expect(extra!.text()).rejects.toThrow(/is gone: it was removed from the page by a re-render/);
    const title = await page.$('#title');
    await relaunch(session.miniProgram);
    await expect(title!.text()).rejects.toThrow(/is gone: its page pages\/index\/index was closed/);
  });
});

describe('what WeChat\'s built-in components make of the data', () => {
  it('a <text> keeps the line breaks of its content, a view does not', async () => {
    const form = await relaunch(session.miniProgram, '/pages/form/form');
    expect(await textOf(form, '#note')).toBe('pumpkin\negg\nyogurt');
    expect(await textOf(form, '.entry')).toBe('pumpkin\negg\nyogurt');
    expect(await textOf(form, '#plain')).toBe('pumpkin egg yogurt');
  });

  it('property() answers in the type the component declares: an input given a number has a string value', async () => {
    const form = await relaunch(session.miniProgram, '/pages/form/form');
    expect(await (await form.$('#weight'))!.value()).toBe('50');
    expect(await (await form.$('#on'))!.property('checked')).toBe(true);
    expect(await (await form.$('#level'))!.property('value')).toBe(30);
    expect(await (await form.$('#weight'))!.attribute('type')).toBe('digit');
  });

  it('a typed value shows until the app writes the field with setData', async () => {
    const form = await relaunch(session.miniProgram, '/pages/form/form');
    const memo = (await form.$('#memo')) as TextareaElement;
    expect(await memo.value()).toBe('first');
    await memo.input('');
    expect(await memo.value()).toBe('');
    await (await form.$('#fill'))!.tap();
    expect(await memo.value()).toBe('+filled');
    await memo.input('typed');
    expect(await memo.value()).toBe('typed');
    await (await form.$('#fill'))!.tap();
    expect(await memo.value()).toBe('typed+filled');
    const shout = (await form.$('#shout')) as InputElement;
    await shout.input('abc');
    expect(await shout.value()).toBe('ABC');
  });
});

describe('events', () => {
  it('tap bubbles with target, currentTarget, dataset and detail', async () => {
    await clearEvents(session.miniProgram);
    await (await page.$('#inner'))!.tap();
    expect(await textOf(page, '#count')).toBe('Count: 1');
    expect(await events(session.miniProgram)).toEqual([
      'tap.inner {"dataset":{"itemId":"7"}}',
      'tap.outer {"target":"inner","current":"outer","dataset":{"name":"outer"}}',
    ]);
    expect(await page.data('lastEvent')).toEqual({ type: 'tap', target: 'inner', targetDataset: { itemId: '7' }, detail: { x: 0, y: 0 } });
  });

  it('catchtap stops bubbling', async () => {
    await clearEvents(session.miniProgram);
    await (await page.$('#catcher'))!.tap();
    expect(await events(session.miniProgram)).toEqual(['tap.catch']);
    expect(await textOf(page, '#count')).toBe('Count: 0');
  });

  it('custom components: shadow tree queries, component events, data and methods', async () => {
    const card = await page.$('card');
    expect(card).toBeInstanceOf(require('miniprogram-automator').CustomElement);
    expect(await card!.text()).toBe('Fixture\nslot text\nCard taps 0');
    expect(await page.$('#card-btn')).toBeNull(); // inside the component's shadow tree
    await (await card!.$('#card-btn'))!.tap();
    expect(await textOf(page, '#card-taps')).toBe('1');
    const custom = card as unknown as { data(p?: string): Promise<unknown>; setData(d: object): Promise<void>; callMethod(m: string, ...a: unknown[]): Promise<unknown> };
    expect(await custom.data('taps')).toBe(1);
    await custom.setData({ taps: 9 });
    expect(await (await card!.$('.card-btn'))!.text()).toBe('Card taps 9');
    expect(await custom.callMethod('reset', 3)).toBe('reset');
    expect(await custom.data()).toMatchObject({ taps: 3, title: 'Fixture' });
    await expect((await page.$('#title') as unknown as typeof custom).data?.()).toBeUndefined();
  });

  it('mark: attributes reach event.mark (target up to the root, the child\'s wins) and a selector query, and follow setData', async () => {
    const marks = await relaunch(session.miniProgram, '/pages/marks/marks');
    await (await marks.$('#leaf'))!.tap();
    const fromLeaf = { leaf: { name: 'Apple', price: 3 }, row: 1, shared: 'inner', list: 'fruits' };
    expect(await marks.data('rowMark')).toEqual(fromLeaf);
    expect(await marks.data('listMark')).toEqual(fromLeaf);
    await (await marks.$('#plain'))!.tap();
    expect(await marks.data('plainMark')).toEqual({});

    await marks.setData({ row: 2, leaf: { name: 'Pear', price: 4 } });
    await (await marks.$('#row'))!.tap(); // the row itself: the leaf's mark is not on the way up
    expect(await marks.data('rowMark')).toEqual({ row: 2, shared: 'inner', list: 'fruits' });

    const queried = await session.miniProgram.evaluate(() => new Promise((resolve) => {
      wx.createSelectorQuery().select('#leaf').fields({ mark: true }).select('#plain').fields({ mark: true }).exec(resolve);
    }));
    expect(queried).toEqual([{ mark: { leaf: { name: 'Pear', price: 4 } } }, { mark: {} }]);
  });

  it('input, longpress, trigger', async () => {
    const input = await page.$('#name-input');
    await (input as unknown as { input(v: string): Promise<void> }).input('Ada');
    expect(await textOf(page, '#name')).toBe('Hello Ada');
    expect(await input!.value()).toBe('Ada');
    const press = await page.$('#press');
    await press!.longpress();
    expect(await press!.text()).toBe('long');
    await press!.tap();
    expect(await press!.text()).toBe('tap');
    await press!.trigger('longpress');
    expect(await press!.text()).toBe('long');
  });

  it('answers clear errors for what a headless runtime cannot do', async () => {
    await expect(session.miniProgram.screenshot()).rejects.toThrow(/needs a screen: the simulator runs in headless mode. Start it with --render browser/);
    await expect(page.getElementsByXpath('//view')).rejects.toThrow(/XPath selectors are not supported/);
    await expect(page.$$('view[data-id')).rejects.toThrow(/unsupported selector "view\[data-id"/);
  });
});

describe('waiting on the page', () => {
  it('page.waitFor(selector) sees a later setData', async () => {
    await session.miniProgram.evaluate(() => {
      setTimeout(() => getCurrentPages()[0].setData({ showExtra: true, cents: 99 }), 30);
      getCurrentPages()[0].setData({ showExtra: false });
    });
    expect(await page.$('#extra')).toBeNull();
    await page.waitFor('#extra');
    expect(await waitFor(() => textOf(page, '#extra'), (t) => t === 'Price 0.99', 'the price')).toBe('Price 0.99');
  });
});

declare const getCurrentPages: () => { setData(d: object): void }[];
