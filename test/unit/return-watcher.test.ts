import { createReturnWatcher, type ProviderReturn } from '../../miniprogram/lib/return-watcher';

const PROVIDER = 'wx959c8c1fb2d89988';
const armedWatcher = () => {
  const w = createReturnWatcher({ now: () => 1000 });
  w.expect({ outTradeNo: 'T1', appId: PROVIDER });
  return w;
};
const collect = (w: ReturnType<typeof createReturnWatcher>) => {
  const seen: ProviderReturn[] = [];
  w.subscribe((r) => seen.push(r));
  return seen;
};

test('scene 1038 from the provider is a return; its extraData is a hint only', () => {
  const w = armedWatcher();
  const seen = collect(w);
  expect(w.handleShow({ scene: 1038, referrerInfo: { appId: PROVIDER, extraData: { success: true, payjsOrderId: 'P1', msg: 'ok', resultCode: 0 } } })).toBe(true);
  expect(seen).toEqual([{ outTradeNo: 'T1', appId: PROVIDER, hasExtraData: true, hint: { success: true, payjsOrderId: 'P1', msg: 'ok', resultCode: 0 }, at: 1000 }]);
});

test('another appId, another scene, or no outstanding jump: not a return', () => {
  const w = armedWatcher();
  const seen = collect(w);
  expect(w.handleShow({ scene: 1038, referrerInfo: { appId: 'wx959c8c1fb2d877b5', extraData: { success: true } } })).toBe(false);
  expect(w.handleShow({ scene: 1037, referrerInfo: { appId: PROVIDER } })).toBe(false);
  expect(w.handleShow({ scene: 1001 })).toBe(false);
  expect(w.handleShow(undefined)).toBe(false);
  expect(seen).toEqual([]);
  expect(w.outstanding()).toEqual({ outTradeNo: 'T1', appId: PROVIDER });
  const idle = createReturnWatcher({ now: () => 0 });
  expect(idle.handleShow({ scene: 1038, referrerInfo: { appId: PROVIDER, extraData: {} } })).toBe(false);
});

test('the back key (empty extraData) and a missing referrerInfo count as a return', () => {
  const a = armedWatcher();
  expect(a.handleShow({ scene: 1038, referrerInfo: { appId: PROVIDER, extraData: {} } })).toBe(true);
  const b = armedWatcher();
  const seen = collect(b);
  expect(b.handleShow({ scene: 1038 })).toBe(true);
  expect(seen[0]).toMatchObject({ outTradeNo: 'T1', hasExtraData: false, hint: {} });
});

test('a return is consumed once: the same show twice (App.onShow + wx.onAppShow) or a stale referrer later is ignored', () => {
  const w = armedWatcher();
  const seen = collect(w);
  const show = { scene: 1038, referrerInfo: { appId: PROVIDER, extraData: { success: false } } };
  expect(w.handleShow(show)).toBe(true);
  expect(w.handleShow(show)).toBe(false);
  expect(w.handleShow(show)).toBe(false);
  expect(seen).toHaveLength(1);
  // the next jump makes the next return fresh again
  w.expect({ outTradeNo: 'T2', appId: PROVIDER });
  expect(w.handleShow(show)).toBe(true);
  expect(seen.map((r) => r.outTradeNo)).toEqual(['T1', 'T2']);
});

test('a return seen before any subscriber (App.onShow before the page loads) is held for the first one, and only once', () => {
  const w = armedWatcher();
  w.handleShow({ scene: 1038, referrerInfo: { appId: PROVIDER, extraData: {} } });
  const first = collect(w);
  const second = collect(w);
  expect(first).toHaveLength(1);
  expect(second).toHaveLength(0);
});

test('forget(): a cancelled jump leaves nothing outstanding', () => {
  const w = armedWatcher();
  w.forget('other');
  expect(w.outstanding()).not.toBeNull();
  w.forget('T1');
  expect(w.handleShow({ scene: 1038, referrerInfo: { appId: PROVIDER, extraData: {} } })).toBe(false);
});

test('a malformed provider order id is not passed on', () => {
  const w = armedWatcher();
  const seen = collect(w);
  w.handleShow({ scene: 1038, referrerInfo: { appId: PROVIDER, extraData: { payjsOrderId: '../../x?y=1', success: 'yes' } } });
  expect(seen[0].hint).toEqual({});
});

test('an empty referrer appId is not the provider\'s (nor is a non-string one)', () => {
  const w = armedWatcher();
  const seen = collect(w);
  expect(w.handleShow({ scene: 1038, referrerInfo: { appId: '', extraData: { success: true } } })).toBe(false);
  expect(w.handleShow({ scene: 1038, referrerInfo: { appId: 0 as unknown as string } })).toBe(false);
  expect(seen).toEqual([]);
  expect(w.outstanding()).toEqual({ outTradeNo: 'T1', appId: PROVIDER });
  // referrerInfo without an appId key at all (WeChat may omit it) still counts
  expect(w.handleShow({ scene: 1038, referrerInfo: { extraData: {} } })).toBe(true);
});
