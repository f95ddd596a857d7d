// Which backend URL a build (and a running app) may use. Shared by the build (gulpfile.ts refuses the build) and the
// app (which refuses to talk to a development backend from a trial or release version). Plain string parsing: WeChat's
// JS engine has no URL class.

/**
 * develop: DevTools and `npm start` (anything http/https); preview: a develop version opened on a phone, which cannot
 * reach this computer's loopback; release: a trial or release upload, which WeChat only lets talk to filed https
 * domains in the admin console's request domain list.
 */
export type BuildTarget = 'develop' | 'preview' | 'release';

export const BUILD_TARGETS: readonly BuildTarget[] = ['develop', 'preview', 'release'];

/** What `npm run build` bakes in when API_BASE_URL is not set: the backend `npm run serve` starts. */
export const DEVELOP_API_BASE_URL = 'http://127.0.0.1:3000';

interface ParsedUrl {
  scheme: string;
  host: string;
}

function parse(url: string): ParsedUrl | null {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/(\[[0-9a-fA-F:.]+\]|[^/?#:@[\]\s]+)(?::(\d{1,5}))?(\/[^?#\s]*)?$/.exec(url);
  if (!m) return null;
  return { scheme: m[1].toLowerCase(), host: m[2].toLowerCase().replace(/\.$/, '') };
}

function ipv4(host: string): number[] | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  return parts.every((n) => n <= 255) ? parts : null;
}

function isLoopback(host: string): boolean {
  if (host === 'localhost' || /\.localhost$/.test(host) || host === '[::1]' || host === '0.0.0.0' || host === '[::]') return true;
  const v4 = ipv4(host);
  return !!v4 && v4[0] === 127;
}

/** Loopback, private (RFC 1918), link-local, carrier-grade NAT, unique-local IPv6, or a name only a LAN resolves. */
function isPrivate(host: string): boolean {
  if (isLoopback(host)) return true;
  const v4 = ipv4(host);
  if (v4) {
    const [a, b] = v4;
    return a === 10 || a === 0 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127);
  }
  if (host.startsWith('[')) return /^\[(f[cd]|fe[89ab])/i.test(host) || /^\[::ffff:/i.test(host);
  return !host.includes('.') || /\.(local|lan|internal|home|corp|intranet)$/.test(host);
}

const isIpAddress = (host: string) => !!ipv4(host) || host.startsWith('[');

/**
 * Why `url` cannot be the backend of a `target` build, in a sentence naming API_BASE_URL and what to do; null when
 * it can.
 */
export function backendUrlProblem(url: string, target: BuildTarget): string | null {
  const shown = JSON.stringify(url);
  if (!url) {
    if (target === 'release') return 'API_BASE_URL is not set: a trial/release build needs the deployed backend\'s https origin, e.g. API_BASE_URL=https://api.your-domain';
    if (target === 'preview') return 'API_BASE_URL is not set: a preview runs on a phone; set it to an address the phone can reach, e.g. http://192.168.1.20:3000 (your computer\'s LAN address)';
    return `API_BASE_URL is not set: set it to the backend's origin, e.g. ${DEVELOP_API_BASE_URL}`;
  }
  const parsed = parse(url);
  if (!parsed || (parsed.scheme !== 'http' && parsed.scheme !== 'https')) {
    return `API_BASE_URL ${shown} is not an http(s) URL: set it to the backend's origin, e.g. https://api.your-domain (no query or fragment)`;
  }
  if (target === 'preview' && isLoopback(parsed.host)) {
    return `API_BASE_URL ${shown} is this computer's loopback address, which a phone cannot reach: set it to an address the phone can reach, e.g. http://192.168.1.20:3000 (your computer's LAN address)`;
  }
  if (target !== 'release') return null;
  if (parsed.scheme !== 'https') {
    return `API_BASE_URL ${shown} is not https: WeChat lets a trial or release version request only https domains; set API_BASE_URL to the deployed backend's https origin`;
  }
  if (isPrivate(parsed.host)) {
    return `API_BASE_URL ${shown} points at a loopback or private address that no payer's phone can reach: set API_BASE_URL to the deployed backend's public https origin`;
  }
  if (isIpAddress(parsed.host)) {
    return `API_BASE_URL ${shown} is an IP address: WeChat's request domain list takes filed domain names only; set API_BASE_URL to https://<your domain>`;
  }
  return null;
}
