// Whether the app is in the foreground, driven by App.onShow/onHide. The confirmer pauses while hidden: WeChat
// suspends a backgrounded app's network after a few seconds, and nobody is looking at the answer anyway.
import type { CancelSignal } from './ports';

export interface Visibility {
  readonly hidden: boolean;
  onChange(listener: (hidden: boolean) => void): () => void;
}

export interface VisibilityController extends Visibility {
  hide(): void;
  show(): void;
}

export function createVisibility(initiallyHidden = false): VisibilityController {
  let hidden = initiallyHidden;
  const listeners = new Set<(hidden: boolean) => void>();
  const set = (value: boolean) => {
    if (hidden === value) return;
    hidden = value;
    for (const listener of Array.from(listeners)) listener(hidden);
  };
  return {
    get hidden() {
      return hidden;
    },
    onChange(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    hide: () => set(true),
    show: () => set(false),
  };
}

/** Resolves once visible (true), or false if the signal aborts first. */
export function whenVisible(visibility: Visibility, signal?: CancelSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (!visibility.hidden) return resolve(true);
    if (signal && signal.aborted) return resolve(false);
    const done = (value: boolean) => {
      off();
      if (signal) signal.removeEventListener('abort', onAbort);
      resolve(value);
    };
    const onAbort = () => done(false);
    const off = visibility.onChange((hidden) => {
      if (!hidden) done(true);
    });
    if (signal) signal.addEventListener('abort', onAbort);
  });
}
