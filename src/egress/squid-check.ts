/**
 * A strict checker for the Squid lines Relaywatch exports: `acl NAME TYPE VALUE…` (types src and dstdomain)
 * and `http_access allow|deny [!]NAME…` over declared ACLs. Anything else, other than comments and blank
 * lines, is an error, so a malformed export never reaches a proxy.
 */
import { ipv6Bits, isIpv4 } from '../context/host.ts';

export interface SquidAcls {
  /** ACL name → type and values, in file order. */
  acls: Map<string, { type: string; values: string[] }>;
  rules: { action: 'allow' | 'deny'; acls: string[] }[];
  issues: string[];
}

const ACL_NAME = /^[A-Za-z0-9_-]+$/;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** A dstdomain value: a lower-case domain of two or more labels, with an optional leading dot. */
export function isDstdomainValue(value: string): boolean {
  const domain = value.startsWith('.') ? value.slice(1) : value;
  const labels = domain.split('.');
  return domain.length <= 253 && labels.length >= 2 && labels.every((l) => LABEL.test(l)) && !/^[0-9]+$/.test(labels.at(-1)!);
}

/** A src value: an IPv4 or IPv6 address, optionally with a prefix length, or `all`. */
export function isSrcValue(value: string): boolean {
  if (value === 'all') return true;
  const [address, prefix, extra] = value.split('/');
  if (extra !== undefined) return false;
  const v4 = isIpv4(address);
  if (!v4 && !ipv6Bits(address)) return false;
  if (prefix === undefined) return true;
  return /^[0-9]{1,3}$/.test(prefix) && Number(prefix) <= (v4 ? 32 : 128);
}

const VALUE_CHECKS: Record<string, (v: string) => boolean> = { src: isSrcValue, dstdomain: isDstdomainValue };

/** Parses and checks Squid ACL text; `issues` lists every problem with its line number. */
export function checkSquidAcls(text: string): SquidAcls {
  const acls = new Map<string, { type: string; values: string[] }>();
  const rules: SquidAcls['rules'] = [];
  const issues: string[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    const at = `line ${i + 1}`;
    if (line === '' || line.startsWith('#')) return;
    const words = line.split(/\s+/);
    if (words[0] === 'acl') {
      const [, name, type, ...values] = words;
      if (!name || !ACL_NAME.test(name)) return issues.push(`${at}: bad ACL name ${JSON.stringify(name ?? '')}`);
      const check = VALUE_CHECKS[type ?? ''];
      if (!check) return issues.push(`${at}: ACL type ${JSON.stringify(type ?? '')} is not src or dstdomain`);
      if (!values.length) return issues.push(`${at}: ACL ${name} has no values`);
      for (const v of values) if (!check(v)) issues.push(`${at}: ${JSON.stringify(v)} is not a valid ${type} value`);
      const existing = acls.get(name);
      if (existing && existing.type !== type) return issues.push(`${at}: ACL ${name} redefined as ${type} (was ${existing.type})`);
      if (existing) existing.values.push(...values);
      else acls.set(name, { type, values });
    } else if (words[0] === 'http_access') {
      const [, action, ...names] = words;
      if (action !== 'allow' && action !== 'deny') return issues.push(`${at}: http_access needs allow or deny`);
      if (!names.length) return issues.push(`${at}: http_access names no ACL`);
      for (const n of names) {
        const name = n.replace(/^!/, '');
        if (name !== 'all' && !acls.has(name)) issues.push(`${at}: ACL ${name} is used before it is defined`);
      }
      rules.push({ action, acls: names });
    } else issues.push(`${at}: not an acl or http_access line`);
  });
  return { acls, rules, issues };
}
