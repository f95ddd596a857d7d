// Skyline's worklet animations, custom routes and XR-Frame. The simulator renders with the WebView model (no
// Skyline, no XR), so these are shells with the right shape: worklet values are plain shared values whose
// animations land on their target at once, Easing builds functions, custom route builders are accepted and unused;
// the XR system offers base classes to extend and registries that accept, so pages built on them load.
import { permissive, type WxDefinitions } from './core';

function worklet() {
  const shared = (value: unknown) => ({ value });
  // an animation evaluates to its end value: there are no frames headless
  const toValue = (target: unknown) => target;
  return {
    shared,
    derived: (fn: () => unknown) => {
      const box = { get value() { return fn(); } };
      return box;
    },
    timing: toValue,
    spring: toValue,
    decay: (opts?: { velocity?: number }) => opts?.velocity ?? 0,
    delay: (_ms: number, animation: unknown) => animation,
    repeat: (animation: unknown) => animation,
    sequence: (...animations: unknown[]) => animations[animations.length - 1],
    cancelAnimation: () => undefined,
    runOnJS: (fn: (...a: unknown[]) => unknown) => fn,
    runOnUI: (fn: (...a: unknown[]) => unknown) => fn,
    scrollTo: () => undefined,
    Easing: permissive(),
    scrollViewContext: { scrollTo: () => undefined },
  };
}

function router() {
  const builders = new Map<string, unknown>();
  return {
    addRouteBuilder: (name: string, builder: unknown) => void builders.set(name, builder),
    removeRouteBuilder: (name: string) => void builders.delete(name),
    getRouteContext: () => null,
  };
}

export function defineSkyline(d: WxDefinitions): void {
  const shell = 'a shell with the right shape: the simulator renders with WebView, not Skyline';
  d.value('worklet', 'stubbed', worklet(), `${shell}; shared values hold their value, animations jump to their target`);
  d.value('router', 'stubbed', router(), `${shell}; custom route builders are accepted and never run`);
  d.sync('getXrFrameSystem', 'stubbed', () => permissive(), 'base classes and registries so XR-Frame code loads; nothing renders');
}
