// Media and drawing: createAnimation builds real animation data (the view layer's transition input); the contexts
// of video, audio, canvas, map, camera, live player/pusher exist with every method and do nothing, as a device with
// no screen or speaker would; canvas drawing calls are accepted and draw nothing.
import { softObject, type WxDefinitions, type WxHost } from './core';
import { canvasNode } from './query';
import { appTimeout } from './system';
import { wxPromise } from './rejections';

interface StepOption {
  duration?: number;
  timingFunction?: string;
  delay?: number;
  transformOrigin?: string;
}

const STYLE_PROPS = ['opacity', 'backgroundColor', 'width', 'height', 'top', 'left', 'bottom', 'right'];
const TRANSFORMS = ['rotate', 'rotate3d', 'rotateX', 'rotateY', 'rotateZ', 'scale', 'scale3d', 'scaleX', 'scaleY', 'scaleZ', 'skew', 'skewX', 'skewY', 'translate', 'translate3d', 'translateX', 'translateY', 'translateZ', 'matrix', 'matrix3d'];

/** wx.createAnimation: the same export() format WeChat's base library hands to the view's `animation` attribute. */
export function createAnimation(defaults: StepOption = {}) {
  const base = { duration: 400, timingFunction: 'linear', delay: 0, transformOrigin: '50% 50% 0', ...defaults };
  let current: { type: string; args: unknown[] }[] = [];
  let actions: unknown[] = [];
  // app code chains these methods (the typings' Animation); each has its own parameters
  const anim: Record<string, (...args: never[]) => unknown> = {};
  const px = (v: unknown) => (typeof v === 'number' ? `${v}px` : v);
  for (const prop of STYLE_PROPS) {
    anim[prop] = (value: unknown) => {
      current.push({ type: 'style', args: [prop.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`), prop === 'opacity' || prop === 'backgroundColor' ? value : px(value)] });
      return anim;
    };
  }
  for (const t of TRANSFORMS) {
    anim[t] = (...args: unknown[]) => {
      current.push({ type: t, args: t.startsWith('translate') ? args.map(px) : args });
      return anim;
    };
  }
  anim.step = (opts: StepOption = {}) => {
    const o = { ...base, ...opts };
    if (current.length) {
      actions.push({ animates: current, option: { transition: { duration: o.duration, timingFunction: o.timingFunction, delay: o.delay }, transformOrigin: o.transformOrigin } });
    }
    current = [];
    return anim;
  };
  anim.export = () => {
    const out = { actions };
    actions = [];
    return out;
  };
  return anim;
}

const AUDIO_DEFAULTS = { src: '', startTime: 0, autoplay: false, loop: false, obeyMuteSwitch: true, volume: 1, playbackRate: 1, duration: 0, currentTime: 0, paused: true, buffered: 0, referrerPolicy: 'origin' };

export function defineMedia(d: WxDefinitions): void {
  const app: WxHost = d.app;
  const headless = 'its methods exist and do nothing (no screen, camera or speaker headless); methods with callbacks fail softly';
  d.sync('createAnimation', 'supported', (o?: StepOption) => createAnimation(o ?? {}), 'export() gives WeChat\'s animation actions; the headless view applies none of them');

  d.sync('createInnerAudioContext', 'stubbed', () => softObject(app, 'createInnerAudioContext', 'InnerAudioContext', { ...AUDIO_DEFAULTS }), headless);
  d.sync('getBackgroundAudioManager', 'stubbed', () => softObject(app, 'getBackgroundAudioManager', 'BackgroundAudioManager', { ...AUDIO_DEFAULTS, title: '', epname: '', singer: '', coverImgUrl: '', webUrl: '', protocol: 'http' }), headless);
  for (const [name, shape] of [['createVideoContext', 'VideoContext'], ['createAudioContext', 'AudioContext'], ['createMapContext', 'MapContext'], ['createCameraContext', 'CameraContext'], ['createLivePlayerContext', 'LivePlayerContext'], ['createLivePusherContext', 'LivePusherContext'], ['getRecorderManager', 'RecorderManager'], ['createMediaContainer', 'MediaContainer'], ['createMediaAudioPlayer', 'MediaAudioPlayer'], ['createVideoDecoder', 'VideoDecoder'], ['createWebAudioContext', 'WebAudioContext']]) {
    d.sync(name, 'stubbed', () => softObject(app, name, shape), headless);
  }
  d.sync('createCanvasContext', 'stubbed', () => {
    const ctx = softObject(app, 'createCanvasContext', 'CanvasContext');
    // draw(reserve, callback): the callback comes once "drawn"
    ctx.draw = (_reserve?: boolean, cb?: () => void) => {
      if (typeof cb === 'function') appTimeout(app, cb, 0, 'CanvasContext.draw callback');
    };
    ctx.measureText = (text: string) => ({ width: String(text ?? '').length * 10 });
    return ctx;
  }, 'every drawing call is accepted; draw() calls back; nothing is painted headless');
  // deprecated canvas API, still in the base library (not in the typings)
  d.sync('createContext', 'stubbed', () => softObject(app, 'createContext', 'CanvasContext', { getActions: () => [], clearActions: () => undefined }), 'deprecated (base library 1.x); drawing calls accepted, nothing painted');
  d.sync('drawCanvas', 'stubbed', () => undefined, 'deprecated (base library 1.x); nothing painted');
  d.sync('createOffscreenCanvas', 'stubbed', (o?: unknown, h?: number) => {
    // createOffscreenCanvas({width, height, ...}) or the older createOffscreenCanvas(width, height)
    const size = o as { width?: unknown; height?: unknown } | null | undefined;
    const width = typeof o === 'object' ? Number(size?.width) || 300 : Number(o) || 300;
    return canvasNode(app, width, typeof o === 'object' ? Number(size?.height) || 150 : Number(h) || 150);
  }, 'getContext() accepts every drawing call; nothing is painted headless');
  d.sync('createWorker', 'stubbed', () => softObject(app, 'createWorker', 'Worker'), 'postMessage goes nowhere: worker scripts do not run in the simulator');

  // ads: load() fails softly (no ad network), show() likewise; onError listeners are told
  for (const [name, shape] of [['createRewardedVideoAd', 'RewardedVideoAd'], ['createInterstitialAd', 'InterstitialAd']]) {
    d.sync(name, 'stubbed', () => {
      const ad = softObject(app, name, shape);
      const errors: ((e: unknown) => void)[] = [];
      ad.onError = (fn: (e: unknown) => void) => void (typeof fn === 'function' && errors.push(fn));
      const noAd = () => {
        const err = { errMsg: `${name}:fail no ad in the simulator`, errCode: 1004 };
        for (const l of errors) appTimeout(app, () => l(err), 0, `${name} onError`);
        return wxPromise(app, (_resolve, reject) => reject(err));
      };
      ad.load = noAd;
      ad.show = noAd;
      return ad;
    }, 'load()/show() reject with errCode 1004 (no suitable ad), as with no ad to serve');
  }
}
