/**
 * Whether the host offers a wx API. `wx.canIUse` first (WeChat's own answer for its base library; a host that lists
 * every name but implements only some, like a simulator, answers it truthfully too), then the function's presence.
 */
export function supports(wx: object, name: string): boolean {
  const host = wx as { canIUse?: (schema: string) => boolean } & Record<string, unknown>;
  try {
    if (typeof host.canIUse === 'function') return !!host.canIUse(name) && typeof host[name] === 'function';
    return typeof host[name] === 'function';
  } catch {
    return false;
  }
}
