// The whole wx surface of miniprogram-api-typings: present, answering as WeChat does what a headless phone can do,
// failing the rest through fail/complete and a rejected promise; the device's answers controlled through __sim and
// native(). Driven by the real automator client over `connect`.
/* eslint-disable @typescript-eslint/no-explicit-any -- the app's wx and objects, reached through evaluate */
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import automator from 'miniprogram-automator';
import type MiniProgram from 'miniprogram-automator/out/MiniProgram';
import { startSimulator, type RunningSimulator } from '../../simulator';
import { CATALOG } from '../../simulator/runtime/wx/catalog';
import { relaunch, textOf, waitFor } from './helpers';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'compile-app');

declare const wx: any;
declare const __sim: any;
declare const getApp: () => any;
declare const getCurrentPages: () => any[];

let sim: RunningSimulator;
let mp: MiniProgram;
let server: http.Server;
let wss: WebSocketServer;
let base: string;
const uploads: { contentType: string; body: string }[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/file.txt') return void res.end('downloaded bytes');
      if (req.url === '/upload') {
        uploads.push({ contentType: String(req.headers['content-type']), body: Buffer.concat(chunks).toString('utf8') });
        return void res.end('{"stored":true}');
      }
      res.statusCode = 404;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  wss = new WebSocketServer({ server });
  wss.on('connection', (ws) => ws.on('message', (m) => ws.send(`echo ${m.toString()}`)));
  sim = await startSimulator({ projectPath: FIXTURE, port: 0 });
  mp = await automator.connect({ wsEndpoint: sim.wsEndpoint });
});

afterAll(async () => {
  mp.disconnect();
  await sim.close();
  wss.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('presence', () => {
  it('every function of the typings is on wx; names the typings lack are undefined, as on a phone', async () => {
    const names = Object.keys(CATALOG.functions);
    const missing = await mp.evaluate((list: string[]) => list.filter((n) => wx[n] === undefined), names);
    expect(missing).toEqual([]);
    expect(names.length).toBeGreaterThan(400);
    expect(await mp.evaluate(() => [typeof wx.noSuchApi, 'noSuchApi' in wx, typeof wx.cloud.init, typeof wx.env.USER_DATA_PATH])).toEqual(['undefined', false, 'function', 'string']);
  });

  it('canIUse answers from the API table and the project\'s libVersion (3.10.0)', async () => {
    const answers = await mp.evaluate(() => ['getSetting', 'requestIdleCallback', 'getDeviceBenchmarkInfo', 'getSystemInfoSync.return.safeArea', 'button.open-type.share', 'noSuchApi', 'openDesignerProfile'].map((s) => wx.canIUse(s)));
    // requestIdleCallback came with 3.10.0, openDesignerProfile with 3.17.0
    expect(answers).toEqual([true, true, true, true, true, false, false]);
  });
});

describe('what a headless phone cannot do fails as WeChat fails', () => {
  it('async: fail/complete callbacks and a rejected promise, "<name>:fail not supported in the simulator"; mockable', async () => {
    const viaCallbacks = await mp.evaluate(() => new Promise((resolve) => {
      const seen: unknown[] = [];
      wx.scanCode({ fail: (r: unknown) => seen.push(['fail', r]), complete: (r: unknown) => resolve([...seen, ['complete', r]]) });
    }));
    expect(viaCallbacks).toEqual([['fail', { errMsg: 'scanCode:fail not supported in the simulator' }], ['complete', { errMsg: 'scanCode:fail not supported in the simulator' }]]);
    await expect(mp.callWxMethod('chooseImage', {})).rejects.toThrow('chooseImage:fail not supported in the simulator');
    expect(await mp.evaluate(() => wx.scanCode().catch((e: unknown) => e))).toEqual({ errMsg: 'scanCode:fail not supported in the simulator' });
    await mp.mockWxMethod('scanCode', { result: 'https://example.com/qr', scanType: 'QR_CODE', errMsg: 'scanCode:ok' });
    expect(await mp.callWxMethod('scanCode', {})).toMatchObject({ result: 'https://example.com/qr' });
    await mp.restoreWxMethod('scanCode');
  });

  it('sync: throws Error("<name>:fail not supported in the simulator"); factories return objects whose methods do nothing', async () => {
    expect(await mp.evaluate(() => {
      try {
        wx.createBufferURL(new ArrayBuffer(1));
        return 'no throw';
      } catch (e) {
        return (e as Error).message;
      }
    })).toBe('createBufferURL:fail not supported in the simulator');
    const media = await mp.evaluate(() => {
      const video = wx.createVideoContext('v');
      video.play();
      video.seek(3);
      const audio = wx.createInnerAudioContext();
      audio.src = 'https://example.com/a.mp3';
      audio.onPlay(() => undefined);
      audio.play();
      const canvas = wx.createCanvasContext('c');
      canvas.setFillStyle('red');
      canvas.fillRect(0, 0, 10, 10);
      return new Promise((resolve) => canvas.draw(false, () => resolve({ paused: audio.paused, src: audio.src, hasStop: typeof video.stop, ad: typeof wx.createRewardedVideoAd({ adUnitId: 'x' }).load })));
    });
    expect(media).toEqual({ paused: true, src: 'https://example.com/a.mp3', hasStop: 'function', ad: 'function' });
  });

  it('wx.cloud: init works, calls fail, cloud methods are mockable by dotted name', async () => {
    await expect(mp.evaluate(() => wx.cloud.callFunction({ name: 'login' }))).rejects.toThrow('cloud.callFunction:fail not supported in the simulator');
    const db = await mp.evaluate(() => wx.cloud.database().collection('todos').where({ done: false }).get().catch((e: any) => e.errMsg));
    expect(db).toBe('cloud.database.get:fail not supported in the simulator');
    await mp.mockWxMethod('cloud.callFunction', { result: { openid: 'o-1' } });
    expect(await mp.evaluate(() => wx.cloud.callFunction({ name: 'login' }))).toMatchObject({ result: { openid: 'o-1' } });
    await mp.restoreWxMethod('cloud.callFunction');
  });

  it('a failed call nobody catches reaches App.onUnhandledRejection and the app keeps running', async () => {
    await mp.evaluate(() => {
      getApp().globalData.events.length = 0;
      wx.scanCode();
    });
    await waitFor(() => mp.evaluate(() => getApp().globalData.events.slice()), (e: string[]) => e.length > 0, 'onUnhandledRejection');
    expect(await mp.evaluate(() => getApp().globalData.events.slice())).toEqual(['App.onUnhandledRejection scanCode:fail not supported in the simulator']);
    expect(await mp.callWxMethod('getStorageInfoSync')).toMatchObject({ keys: expect.any(Array) });
  });
});

describe('settings and permission prompts', () => {
  it('authorize asks once; native().authorizeAllow() grants, getSetting tells; a denial is remembered', async () => {
    const asked = mp.callWxMethod('authorize', { scope: 'scope.userLocation' });
    await waitFor(() => mp.evaluate(() => __sim.dialogs()), (d: any[]) => d.length === 1, 'the prompt');
    expect(await mp.evaluate(() => __sim.dialogs())).toEqual([{ kind: 'authorize', options: { scope: 'scope.userLocation' } }]);
    await mp.native().authorizeAllow();
    expect(await asked).toEqual({ errMsg: 'authorize:ok' });
    expect(await mp.callWxMethod('getLocation', {})).toMatchObject({ latitude: expect.any(Number), longitude: expect.any(Number), errMsg: 'getLocation:ok' });

    const camera = mp.callWxMethod('authorize', { scope: 'scope.camera' });
    await waitFor(() => mp.evaluate(() => __sim.dialogs().length), (n: number) => n === 1, 'the prompt');
    await mp.native().authorizeCancel();
    await expect(camera).rejects.toThrow('authorize:fail auth deny');
    await expect(mp.callWxMethod('authorize', { scope: 'scope.camera' })).rejects.toThrow('authorize:fail auth deny');
    expect(await mp.callWxMethod('getSetting', {})).toMatchObject({ authSetting: { 'scope.userLocation': true, 'scope.camera': false } });

    await mp.evaluate(() => __sim.setAuthSetting({ 'scope.camera': true, 'scope.userLocation': null }));
    expect((await mp.callWxMethod('getSetting', {})).authSetting).toEqual({ 'scope.camera': true });
    await expect(mp.callWxMethod('openSetting', {})).rejects.toThrow('openSetting:fail can only be invoked by user TAP gesture');
  });

  it('requestPayment waits for the payment dialog: closePaymentDialog cancels, __sim.answerPayment pays', async () => {
    const first = mp.callWxMethod('requestPayment', { timeStamp: '1', nonceStr: 'n', package: 'prepay_id=x', signType: 'RSA', paySign: 's' });
    await waitFor(() => mp.evaluate(() => __sim.dialogs().length), (n: number) => n === 1, 'the payment dialog');
    await mp.native().closePaymentDialog();
    await expect(first).rejects.toThrow('requestPayment:fail cancel');
    const second = mp.callWxMethod('requestPayment', { timeStamp: '1', nonceStr: 'n', package: 'prepay_id=y', signType: 'RSA', paySign: 's' });
    await waitFor(() => mp.evaluate(() => __sim.dialogs().length), (n: number) => n === 1, 'the payment dialog');
    await mp.evaluate(() => __sim.answerPayment(true));
    expect(await second).toEqual({ errMsg: 'requestPayment:ok' });
  });
});

describe('update manager', () => {
  it('no update by default; with __sim.setUpdate the next launch finds one, and applyUpdate restarts the app', async () => {
    const check = () => mp.evaluate(() => new Promise((resolve) => {
      const m = wx.getUpdateManager();
      const seen: unknown[] = [];
      m.onCheckForUpdate((r: unknown) => seen.push(r));
      m.onUpdateReady(() => seen.push('ready'));
      setTimeout(() => resolve(seen), 20);
    }));
    expect(await check()).toEqual([{ hasUpdate: false }]);
    await mp.evaluate(() => __sim.setUpdate({ hasUpdate: true }));
    expect(await check()).toEqual([{ hasUpdate: false }]); // this launch already checked
    await mp.evaluate(() => __sim.restart({}));
    expect(await check()).toEqual([{ hasUpdate: true }, 'ready']);
    const before = await mp.evaluate(() => getApp().globalData.events.length);
    await mp.evaluate(() => wx.getUpdateManager().applyUpdate());
    await waitFor(() => mp.evaluate(() => getApp().globalData.events.slice()), (e: string[]) => e.length === 1 && e[0].startsWith('launch'), 'the restarted app');
    expect(before).toBeGreaterThan(0);
    expect(await check()).toEqual([{ hasUpdate: false }]);
  });
});

describe('selector and intersection queries', () => {
  it('createSelectorQuery: ids, datasets, properties, rects from the renderer (zeros headless), the viewport, a 2d canvas node', async () => {
    await relaunch(mp, '/pages/query/query');
    const res = await mp.evaluate(() => new Promise((resolve) => {
      wx.createSelectorQuery()
        .select('#box').boundingClientRect()
        .selectAll('.box').fields({ id: true, dataset: true })
        .selectViewport().fields({ size: true, scrollOffset: true })
        .select('#c2d').fields({ node: true, size: true })
        .select('#nothing').boundingClientRect()
        .exec((r: any[]) => {
          const ctx = r[3].node.getContext('2d');
          ctx.fillStyle = 'red';
          ctx.fillRect(0, 0, 1, 1);
          resolve([r[0], r[1], r[2], typeof ctx.fillRect, r[4]]);
        });
    }));
    expect(res).toEqual([
      { id: 'box', dataset: { itemId: '7', kind: 'page' }, left: 0, top: 0, right: 0, bottom: 0, width: 0, height: 0 },
      [{ id: 'box', dataset: { itemId: '7', kind: 'page' } }, { id: '', dataset: { itemId: '8' } }],
      { width: 375, height: 603, scrollLeft: 0, scrollTop: 0, scrollWidth: 375, scrollHeight: 603 },
      'function',
      null,
    ]);
  });

  it('this.createSelectorQuery() in a component sees its own template only', async () => {
    const page = await relaunch(mp, '/pages/query/query');
    const probe = await page.$('#probe');
    const [inner, missing] = await (probe as any).callMethod('measure');
    expect(inner).toMatchObject({ id: 'inner', dataset: { kind: 'component' } });
    expect(missing).toEqual([]);
    // the page's query does not reach into the component
    expect(await mp.evaluate(() => new Promise((resolve) => wx.createSelectorQuery().select('#inner').boundingClientRect().exec(resolve)))).toEqual([null]);
  });

  it('createIntersectionObserver observes without throwing; nothing intersects without layout', async () => {
    await relaunch(mp, '/pages/query/query');
    const calls = await mp.evaluate(() => new Promise((resolve) => {
      const page = getCurrentPages()[0];
      const seen: unknown[] = [];
      const observer = page.createIntersectionObserver({ thresholds: [0, 1] }).relativeToViewport({ bottom: 100 });
      observer.observe('#box', (r: unknown) => seen.push(r));
      setTimeout(() => {
        observer.disconnect();
        resolve(seen);
      }, 30);
    }));
    expect(calls).toEqual([]);
  });
});

describe('routing extras and small APIs', () => {
  it('navigateTo\'s event channel links the two pages', async () => {
    await relaunch(mp, '/pages/index/index');
    const fromOpened = await mp.evaluate(() => new Promise((resolve) => {
      wx.navigateTo({
        url: '/pages/query/query',
        events: { fromOpened: (data: unknown) => resolve(data) },
        success: (res: any) => res.eventChannel.emit('fromOpener', { text: 'hi page' }),
      });
    }));
    expect(fromOpened).toEqual({ text: 'hi opener' });
    const page = await mp.currentPage();
    expect(await textOf(page!, '#opener')).toBe('hi page');
  });

  it('timer ids are numbers, as in WeChat, so a page can keep one in its data', async () => {
    await relaunch(mp, '/pages/index/index');
    const out = await mp.evaluate(() => {
      const page = getCurrentPages()[0];
      const id = setTimeout(() => undefined, 1000);
      page.setData({ timer: id });
      clearTimeout(id);
      return [typeof id, page.data.timer === id];
    });
    expect(out).toEqual(['number', true]);
  });

  it('createAnimation exports WeChat\'s animation actions', async () => {
    const actions = await mp.evaluate(() => wx.createAnimation({ duration: 200 }).opacity(0.5).translateX(10).step().width(20).step({ duration: 100 }).export());
    expect(actions).toEqual({
      actions: [
        { animates: [{ type: 'style', args: ['opacity', 0.5] }, { type: 'translateX', args: ['10px'] }], option: { transition: { duration: 200, timingFunction: 'linear', delay: 0 }, transformOrigin: '50% 50% 0' } },
        { animates: [{ type: 'style', args: ['width', '20px'] }], option: { transition: { duration: 100, timingFunction: 'linear', delay: 0 }, transformOrigin: '50% 50% 0' } },
      ],
    });
  });

  it('window, device, app-base, launch and experiment info', async () => {
    const info = await mp.evaluate(() => ({ win: wx.getWindowInfo(), base: wx.getAppBaseInfo(), expt: wx.getExptInfoSync(['x']), enter: wx.getEnterOptionsSync(), device: wx.getDeviceInfo().platform }));
    expect(info).toMatchObject({ win: { windowWidth: 375, windowHeight: 603, screenHeight: 667, pixelRatio: 2, statusBarHeight: 20 }, base: { SDKVersion: '3.10.0', theme: 'light' }, expt: {}, enter: { scene: expect.any(Number) }, device: 'devtools' });
  });
});

describe('files and sockets', () => {
  it('downloadFile, the file system manager and uploadFile move real bytes', async () => {
    const out = await mp.evaluate((host: string) => new Promise((resolve, reject) => {
      wx.downloadFile({
        url: `http://${host}/file.txt`,
        fail: reject,
        success: (d: any) => {
          const fs = wx.getFileSystemManager();
          const text = fs.readFileSync(d.tempFilePath, 'utf8');
          const mine = `${wx.env.USER_DATA_PATH}/notes/a.txt`;
          fs.mkdirSync(`${wx.env.USER_DATA_PATH}/notes`);
          fs.writeFileSync(mine, 'mine', 'utf8');
          fs.appendFileSync(mine, '!', 'utf8');
          wx.uploadFile({ url: `http://${host}/upload`, filePath: mine, name: 'f', formData: { k: 'v' }, fail: reject, success: (u: any) => resolve({ status: d.statusCode, text, list: fs.readdirSync(`${wx.env.USER_DATA_PATH}/notes`), upload: u }) });
        },
      });
    }), base);
    expect(out).toEqual({ status: 200, text: 'downloaded bytes', list: ['a.txt'], upload: { data: '{"stored":true}', statusCode: 200, errMsg: 'uploadFile:ok' } });
    expect(uploads[0].contentType).toMatch(/^multipart\/form-data; boundary=/);
    expect(uploads[0].body).toContain('name="k"\r\n\r\nv');
    expect(uploads[0].body).toContain('filename="a.txt"');
    expect(uploads[0].body).toContain('mine!');
    expect(await mp.evaluate(() => {
      try {
        wx.getFileSystemManager().readFileSync('http://usr/nope.txt', 'utf8');
        return 'read';
      } catch (e) {
        return (e as Error).message;
      }
    })).toBe('readFileSync:fail no such file or directory, open http://usr/nope.txt');
  });

  it('connectSocket talks to a real WebSocket server', async () => {
    const echoed = await mp.evaluate((host: string) => new Promise((resolve) => {
      const task = wx.connectSocket({ url: `ws://${host}/` });
      task.onOpen(() => task.send({ data: 'ping' }));
      task.onMessage((m: any) => {
        task.close({});
        resolve(m.data);
      });
    }), base);
    expect(echoed).toBe('echo ping');
  });
});
