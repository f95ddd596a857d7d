// The phone's hardware and system services that a headless phone has in a fixed state: sensors that start and
// report nothing (the phone lies still), no accessibility service, no picture-in-picture, no VisionKit, a local
// address, subpackages already on the device, photos saved once the user allows it.
import { fail } from '../errors';
import { isCallable, type WxDefinitions, type WxOptions } from './core';
import { deviceOf, openDialog } from './device';
import { Files } from './files';

export function defineHardware(d: WxDefinitions): void {
  const app = d.app;
  const sim = app.sim;
  const still = 'starts; the phone lies still, so the change listener never fires';
  for (const sensor of ['Accelerometer', 'Compass', 'Gyroscope', 'DeviceMotionListening']) {
    d.async(`start${sensor}`, 'stubbed', () => ({}), still);
    d.async(`stop${sensor}`, 'supported', () => ({}));
  }
  d.async('checkIsOpenAccessibility', 'supported', () => ({ open: false }));
  d.sync('checkIsPictureInPictureActive', 'supported', () => false);
  d.sync('isVKSupport', 'supported', () => false, 'no VisionKit on a headless phone');
  d.async('getLocalIPAddress', 'supported', () => ({ localip: '127.0.0.1', netmask: '255.0.0.0' }));
  d.async('getDeviceBenchmarkInfo', 'supported', () => ({ benchmarkLevel: 1, modelLevel: 1 }));
  d.async('setInnerAudioOption', 'stubbed', () => ({}), 'accepted; no audio plays headless');
  for (const name of ['preloadAssets', 'preloadSkylineView', 'preloadWebview']) d.async(name, 'stubbed', () => ({}), 'nothing to preload headless');
  d.raw('preDownloadSubpackage', 'supported', (o: WxOptions = {}) => {
    const task = { onProgressUpdate: (fn: unknown) => isCallable(fn) && setImmediate(() => app.alive && app.guard(() => fn({ progress: 100, totalBytesWritten: 0, totalBytesExpectedToWrite: 0 }), 'onProgressUpdate')) };
    setImmediate(() => {
      if (!app.alive) return;
      const ok = !o.packageType || o.packageType === 'normal';
      const res = { errMsg: `preDownloadSubpackage:${ok ? 'ok' : 'fail not supported in the simulator'}` };
      // each callback is read when it is due and called as a method of the options object
      const success = o.success;
      if (ok && isCallable(success)) app.guard(() => success.call(o, res), 'preDownloadSubpackage success');
      const failed = o.fail;
      if (!ok && isCallable(failed)) app.guard(() => failed.call(o, res), 'preDownloadSubpackage fail');
      const complete = o.complete;
      if (isCallable(complete)) app.guard(() => complete.call(o, res), 'preDownloadSubpackage complete');
    });
    return task;
  }, 'subpackages are on the device already: succeeds at once');

  let fetchToken = '';
  d.async('setBackgroundFetchToken', 'supported', (o) => {
    fetchToken = String(o.token ?? '');
    return {};
  });
  d.async('getBackgroundFetchToken', 'supported', () => ({ token: fetchToken }));

  const files = new Files(sim);
  const savePhoto = async (path: unknown) => {
    const device = deviceOf(sim);
    if (device.auth.get('scope.writePhotosAlbum') === false) fail('auth deny');
    if (device.auth.get('scope.writePhotosAlbum') !== true) {
      const allow = await openDialog(sim, 'authorize', { scope: 'scope.writePhotosAlbum' });
      device.auth.set('scope.writePhotosAlbum', allow);
      if (!allow) fail('auth deny');
    }
    if (!files.exists(String(path))) fail('file not exists');
    return {};
  };
  d.async('saveImageToPhotosAlbum', 'supported', (o) => savePhoto(o.filePath), 'asks for scope.writePhotosAlbum; the file must exist in the simulated file system');
  d.async('saveVideoToPhotosAlbum', 'supported', (o) => savePhoto(o.filePath), 'asks for scope.writePhotosAlbum; the file must exist in the simulated file system');
}
