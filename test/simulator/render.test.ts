// The Renderer seam: the runtime tells the renderer which pages exist and which one is on screen, and the protocol
// asks it for sizes, offsets, styles, scrolling and screenshots. Headless answers without layout (page.size() is the
// window); a recording renderer checks the calls; the browser mode is chosen by name and loaded only when asked for.
import automator from 'miniprogram-automator';
import type MiniProgram from 'miniprogram-automator/out/MiniProgram';
import { startSimulator, type RenderedPage, type Renderer } from '../../simulator';
import { FIXTURE, INDEX, openSession, relaunch, send, textOf, type Session, SESSION_TIMEOUT_MS } from './helpers';

declare const __sim: { appHide(): unknown; appShow(o: object): unknown; restart(o: object): Promise<unknown> };

describe('headless', () => {
  let session: Session;
  beforeAll(async () => {
    session = await openSession();
  }, SESSION_TIMEOUT_MS);
  afterAll(() => session.close());

  it('page.size() is the window, scrollTop follows pageScrollTo, elements have no layout, styles are the inline ones', async () => {
    const mp = session.miniProgram;
    const page = await relaunch(mp, '/pages/selectors/selectors');
    // the window under WeChat's status and navigation bars (667 - 20 - 44), as getSystemInfoSync().windowHeight
    expect(await page.size()).toEqual({ width: 375, height: 603 });
    const info = await mp.callWxMethod('getSystemInfoSync');
    expect(await page.size()).toEqual({ width: info.windowWidth, height: info.windowHeight });
    expect(await page.scrollTop()).toBe(0);
    await mp.callWxMethod('pageScrollTo', { scrollTop: 120, duration: 0 });
    expect(await page.scrollTop()).toBe(120);
    const tail = (await page.$('.tail'))!;
    expect(await tail.size()).toEqual({ width: 0, height: 0 });
    expect(await tail.offset()).toEqual({ left: 0, top: 0 });
    expect(await tail.style('color')).toBe('red');
    expect(await tail.style('fontSize')).toBe('12px');
    expect(await send(mp, 'Tool.getInfo', {})).toMatchObject({ render: 'headless', headless: true });
  });

  it('a screenshot says which mode and package give one', async () => {
    await expect(session.miniProgram.screenshot()).rejects.toThrow(
      'App.captureScreenshot needs a screen: the simulator runs in headless mode. Start it with --render browser (or SIM_RENDER=browser, or startSimulator({render: "browser"})), which lays pages out in Chromium (Debian package chromium)');
  });
});

describe('the simulated device', () => {
  it('one of DevTools\' devices, by name, gives its screen and window to page.size() and getSystemInfoSync', async () => {
    const simulator = await startSimulator({ projectPath: FIXTURE, port: 0, device: 'iPhone 6/7/8 Plus' });
    const mp = await automator.connect({ wsEndpoint: simulator.wsEndpoint });
    try {
      const page = await relaunch(mp, '/pages/selectors/selectors');
      // 736 less the 20 px status bar and the 44 px navigation bar of a phone with a home button
      expect(await page.size()).toEqual({ width: 414, height: 672 });
      expect(await mp.systemInfo()).toMatchObject({ screenWidth: 414, screenHeight: 736, windowWidth: 414, windowHeight: 672, pixelRatio: 3, statusBarHeight: 20, model: 'iPhone 6/7/8 Plus' });
      // the capsule keeps WeChat's 7 px from the right edge
      expect(await mp.callWxMethod('getMenuButtonBoundingClientRect')).toMatchObject({ left: 320, right: 407, top: 26, width: 87, height: 32 });
      // the device belongs to the simulation: another one started beside it has the default phone
      const other = await openSession();
      try {
        expect(await other.miniProgram.systemInfo()).toMatchObject({ screenWidth: 375, model: 'iPhone 6/7/8' });
        expect((await mp.systemInfo()).screenWidth).toBe(414);
      } finally {
        await other.close();
      }
    } finally {
      mp.disconnect();
      await simulator.close();
    }
  }, SESSION_TIMEOUT_MS);

  it('SIM_DEVICE names it too; an unknown name is refused with the names there are', async () => {
    const saved = process.env.SIM_DEVICE;
    process.env.SIM_DEVICE = 'Nokia 3310';
    try {
      await expect(startSimulator({ projectPath: FIXTURE })).rejects.toThrow(/^unknown device "Nokia 3310": use one of DevTools' devices: "iPhone 5", "iPhone 6\/7\/8", /);
    } finally {
      if (saved === undefined) delete process.env.SIM_DEVICE;
      else process.env.SIM_DEVICE = saved;
    }
  });
});

describe('choosing a mode', () => {
  it('SIM_RENDER must name a mode', async () => {
    const saved = process.env.SIM_RENDER;
    process.env.SIM_RENDER = 'gpu';
    try {
      await expect(startSimulator({ projectPath: FIXTURE })).rejects.toThrow('SIM_RENDER must be one of headless, browser; got "gpu"');
    } finally {
      if (saved === undefined) delete process.env.SIM_RENDER;
      else process.env.SIM_RENDER = saved;
    }
  });
});

describe('what the runtime tells the renderer, and what the protocol asks it', () => {
  const calls: string[] = [];
  const name = (p: RenderedPage | undefined) => (p ? `${p.route.split('/').pop()}#${p.id}` : 'nothing');
  const recording: Renderer = {
    kind: 'headless',
    attachPage: async (p) => void calls.push(`attach ${name(p)} ${p.container.getAttribute('route')} ${JSON.stringify(p.windowConfig)}`),
    detachPage: (p) => void calls.push(`detach ${name(p)}`),
    showPage: (p, place) => void calls.push(`show ${name(p)}${place?.canGoBack ? ' back' : ''}`),
    rect: async () => ({ left: 33, top: 44, width: 11, height: 22 }),
    computedStyle: async (_p, _e, names) => Object.fromEntries(names.map((n) => [n, `computed ${n}`])),
    pageSize: async () => ({ width: 375, height: 2000 }),
    scrollTop: async () => 7,
    pageScrollTo: async (p, top) => void calls.push(`scroll ${name(p)} ${top}`),
    screenshot: async () => Buffer.from('png bytes'),
    close: async () => void calls.push('close'),
  };
  let mp: MiniProgram;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const sim = await startSimulator({ projectPath: FIXTURE, createRenderer: async () => recording });
    mp = await automator.connect({ wsEndpoint: sim.wsEndpoint });
    close = sim.close;
  }, SESSION_TIMEOUT_MS);
  afterAll(async () => {
    mp.disconnect();
    await close();
  });

  it('pages attached when created, shown while on top of a visible app, detached when unloaded', async () => {
    const first = await mp.currentPage();
    const index = `index#${(first as unknown as { id: number }).id}`;
    expect(calls).toEqual([`attach ${index} ${INDEX} {"navigationBarTitleText":"sim-app"}`, `show ${index}`]);
    calls.length = 0;
    await mp.callWxMethod('navigateTo', { url: '/pages/selectors/selectors' });
    const top = await mp.currentPage();
    const sel = `selectors#${(top as unknown as { id: number }).id}`;
    await mp.evaluate(() => __sim.appHide());
    await mp.evaluate(() => __sim.appShow({ scene: 1001 }));
    await mp.callWxMethod('navigateBack');
    expect(calls).toEqual([
      `attach ${sel} pages/selectors/selectors {"navigationBarTitleText":"sim-app"}`, `show ${sel} back`,
      'show nothing', `show ${sel} back`,
      `detach ${sel}`, `show ${index}`,
    ]);
    calls.length = 0;
    await mp.evaluate(() => __sim.restart({ scene: 1001 }));
    expect(calls[0]).toBe(`detach ${index}`);
    expect(calls.slice(1).map((c) => c.split(' ').slice(0, 1).join(' '))).toEqual(['attach', 'show']);
  });

  it('a tab page left by switchTab stays attached, off screen, and is shown again; reLaunch detaches it', async () => {
    const index = (await relaunch(mp))!;
    const indexName = `index#${(index as unknown as { id: number }).id}`;
    calls.length = 0;
    await mp.callWxMethod('switchTab', { url: '/pages/tab/tab' });
    const tab = `tab#${((await mp.currentPage()) as unknown as { id: number }).id}`;
    await mp.callWxMethod('switchTab', { url: `/${INDEX}` });
    await mp.callWxMethod('navigateTo', { url: '/pages/detail/detail' });
    const detail = `detail#${((await mp.currentPage()) as unknown as { id: number }).id}`;
    await mp.callWxMethod('switchTab', { url: '/pages/tab/tab' });
    await mp.callWxMethod('reLaunch', { url: `/${INDEX}` });
    expect(calls.map((c) => c.replace(/ \{.*$/, ''))).toEqual([
      `attach ${tab} pages/tab/tab`, `show ${tab}`,
      `show ${indexName}`,
      `attach ${detail} pages/detail/detail`, `show ${detail} back`,
      `detach ${detail}`, `show ${tab}`,
      `detach ${tab}`, `detach ${indexName}`, expect.stringMatching(/^attach index#\d+ pages\/index\/index$/), expect.stringMatching(/^show index#\d+$/),
    ]);
  });

  it('sizes, offsets, styles, scrolling and screenshots come from the renderer', async () => {
    const page = (await relaunch(mp))!;
    expect(await textOf(page, '#title')).toBe('Fixture');
    const title = (await page.$('#title'))!;
    expect(await title.size()).toEqual({ width: 11, height: 22 });
    expect(await title.offset()).toEqual({ left: 33, top: 44 });
    expect(await title.style('color')).toBe('computed color');
    expect(await page.size()).toEqual({ width: 375, height: 2000 });
    expect(await page.scrollTop()).toBe(7);
    calls.length = 0;
    await mp.callWxMethod('pageScrollTo', { scrollTop: 300, duration: 0 });
    expect(calls).toEqual([expect.stringMatching(/^scroll index#\d+ 300$/)]);
    expect(Buffer.from(await mp.screenshot() as string, 'base64').toString()).toBe('png bytes');
  });
});
