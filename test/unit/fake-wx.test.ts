// The fake is only useful if it behaves like WeChat where the logic depends on it.
import { createFakeWx, TAP_RULE_ERRMSG, CANCEL_ERRMSG } from '../fixtures/fake-wx';

const target = { appId: 'wx959c8c1fb2d89988', path: 'pages/pay', extraData: { a: 1 } };

test('navigateToMiniProgram outside a tap fails with WeChat\'s errMsg, asynchronously', async () => {
  const fake = createFakeWx();
  const fail = jest.fn();
  fake.wx.navigateToMiniProgram({ ...target, fail });
  expect(fail).not.toHaveBeenCalled();
  await Promise.resolve();
  expect(fail).toHaveBeenCalledWith({ errMsg: TAP_RULE_ERRMSG });
});

test('navigateToMiniProgram promise style; a cancelled dialog rejects with fail cancel', async () => {
  const fake = createFakeWx();
  await expect(fake.tap(() => fake.wx.navigateToMiniProgram(target))).resolves.toEqual({ errMsg: 'navigateToMiniProgram:ok' });
  fake.answerJumpDialog('cancel');
  await expect(fake.tap(() => fake.wx.navigateToMiniProgram(target))).rejects.toEqual({ errMsg: CANCEL_ERRMSG });
});

test('a tap\'s turn ends with the handler: a call after an await is refused', async () => {
  const fake = createFakeWx();
  const fail = jest.fn();
  await fake.tap(async () => {
    await Promise.resolve();
    fake.wx.navigateToMiniProgram({ ...target, fail });
  });
  await Promise.resolve();
  expect(fail).toHaveBeenCalledWith({ errMsg: TAP_RULE_ERRMSG });
});

test('storage: missing key reads as \'\', values are copies, getStorage fails with data not found', async () => {
  const fake = createFakeWx();
  expect(fake.wx.getStorageSync('nope')).toBe('');
  const value = { a: { b: 1 } };
  fake.wx.setStorageSync('k', value);
  value.a.b = 2;
  expect(fake.wx.getStorageSync('k')).toEqual({ a: { b: 1 } });
  await expect(fake.wx.getStorage({ key: 'nope' })).rejects.toEqual({ errMsg: 'getStorage:fail data not found' });
  await expect(fake.wx.getStorage({ key: 'k' })).resolves.toEqual({ data: { a: { b: 1 } }, errMsg: 'getStorage:ok' });
});

test('request: callback style only, returns a RequestTask; fail/abort/timeout errMsgs', async () => {
  jest.useFakeTimers();
  try {
    const fake = createFakeWx({ handler: () => new Promise(() => undefined) });
    const fail = jest.fn();
    const task = fake.wx.request({ url: 'http://h/x', method: 'GET', fail });
    expect(typeof task.abort).toBe('function');
    task.abort();
    await jest.advanceTimersByTimeAsync(0);
    expect(fail).toHaveBeenLastCalledWith({ errMsg: 'request:fail abort' });
    fake.wx.request({ url: 'http://h/x', method: 'GET', timeout: 1000, fail });
    await jest.advanceTimersByTimeAsync(1000);
    expect(fail).toHaveBeenLastCalledWith({ errMsg: 'request:fail timeout' });
    fake.setOnline(false);
    fake.wx.request({ url: 'http://h/x', method: 'GET', fail });
    await jest.advanceTimersByTimeAsync(0);
    expect(fail).toHaveBeenLastCalledWith({ errMsg: 'request:fail net::ERR_INTERNET_DISCONNECTED' });
  } finally {
    jest.useRealTimers();
  }
});
