import { getDomain, getPublicSuffix } from 'tldts';

/** Longest host name DNS allows (without the trailing dot). */
const MAX_HOST_LENGTH = 253;
const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const IPV4 = /^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$/;

/** True for a dotted-quad IPv4 literal without leading zeros. */
export function isIpv4(value: string): boolean {
  return IPV4.test(value);
}

/** Canonical (lower-case, compressed) IPv6 literal, or null when `value` is not one. */
export function canonicalIpv6(value: string): string | null {
  if (!value.includes(':') || value.length > 64 || /[^0-9a-fA-F:.]/.test(value)) return null;
  try {
    return new URL(`http://[${value}]/`).hostname.slice(1, -1);
  } catch {
    return null;
  }
}

/** The 128-character bit string of an IPv6 literal, for prefix matching in SQL with starts_with(). */
export function ipv6Bits(value: string): string | null {
  const canonical = canonicalIpv6(value);
  if (canonical === null) return null;
  // The URL parser already turned any embedded IPv4 tail into hex groups, so only '::' needs expanding.
  const [head, tail] = canonical.split('::') as [string, string | undefined];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : Array(8 - headGroups.length - tailGroups.length).fill('0');
  return [...headGroups, ...zeros, ...tailGroups].map((g) => parseInt(g, 16).toString(2).padStart(16, '0')).join('');
}

/**
 * Normalises a host name as logs carry it: trims, lower-cases, strips brackets, a port and one trailing dot,
 * and converts IDN to punycode. Returns null for anything that is not a host name or IP literal.
 * `'Dropbox.COM.:443'` → `'dropbox.com'`, `'[2001:DB8::1]:443'` → `'2001:db8::1'`, `'bücher.de'` → `'xn--bcher-kva.de'`.
 */
export function normalizeHost(raw: string): string | null {
  if (typeof raw !== 'string') return null;
  let host = raw.trim().toLowerCase();
  if (host.length === 0 || host.length > MAX_HOST_LENGTH + 8 || /[\s/\\?#@%*,;"'<>`|]/.test(host)) return null;
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(host);
  if (bracketed) return canonicalIpv6(bracketed[1]);
  if ((host.match(/:/g) ?? []).length > 1) return canonicalIpv6(host);
  const withPort = /^([^:]+):(\d{1,5})$/.exec(host);
  if (withPort) host = withPort[1];
  else if (host.includes(':')) return null;
  if (host.endsWith('.')) host = host.slice(0, -1);
  if (isIpv4(host)) return host;
  let ascii: string;
  try {
    ascii = new URL(`http://${host}/`).hostname;
  } catch {
    return null;
  }
  // The URL parser also accepts odd IPv4 spellings (0x7f.1); those are not names we want to match on.
  if (ascii !== host && /^[0-9a-fx.]+$/.test(host)) return null;
  if (ascii.length > MAX_HOST_LENGTH) return null;
  return ascii.split('.').every((label) => LABEL.test(label)) ? ascii : null;
}

/**
 * True when `pattern` is a valid catalog host pattern: a normalised, lower-case host name with at least two
 * labels that is not itself an ICANN public suffix (so `co.uk` or `com` can never match half the internet).
 */
export function isValidHostPattern(pattern: string): boolean {
  if (normalizeHost(pattern) !== pattern || !pattern.includes('.') || isIpv4(pattern)) return false;
  return getPublicSuffix(pattern, { allowPrivateDomains: false }) !== pattern;
}

/** A catalog host pattern matches the host itself and any subdomain (the same rule dst-services.sql applies). */
export function hostMatchesPattern(host: string, pattern: string): boolean {
  return host === pattern || host.endsWith('.' + pattern);
}

/**
 * Registrable domain (eTLD+1) by the Public Suffix List including its private section, so tenants of
 * shared platforms stay apart (`evil.github.io`, `abc.ngrok.io`). Null for IP literals and bare suffixes.
 */
export function registrableDomain(host: string): string | null {
  const normalized = normalizeHost(host);
  if (normalized === null || isIpv4(normalized) || normalized.includes(':')) return null;
  return getDomain(normalized, { allowPrivateDomains: true });
}
