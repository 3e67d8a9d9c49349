import { describe, expect, it } from 'vitest';
import { NativeEngine } from '../engine/native-engine.ts';
import { matchService, shippedCatalog, validateCatalog, type Catalog } from './catalog.ts';
import { readAccount, redactMacroSql, redactWith, REDACTED, type AccountPattern, type SecretPattern } from './account-patterns.ts';

const catalog = shippedCatalog();
const accounts = catalog.accounts ?? [];
const secrets = catalog.secrets ?? [];

describe('account patterns of the shipped catalog', () => {
  it('has at least 40 patterns over at least 20 services, each with a source and an example that reads its id', () => {
    expect(accounts.length).toBeGreaterThanOrEqual(40);
    expect(new Set(accounts.map((a) => a.service_id)).size).toBeGreaterThanOrEqual(20);
    for (const a of accounts) {
      expect(a.sources.length, a.kind).toBeGreaterThan(0);
      expect(readAccount(a, a.example), a.regex).toBe(a.expect);
    }
  });

  it('names the service whose host each example addresses, so the SQL meets each request with its own service only', () => {
    const wrong = accounts
      .map((a) => ({ kind: a.kind, host: a.example.split(/[/?:]/)[0], want: a.service_id }))
      .filter(({ host, want }) => matchService(catalog, host)?.service.id !== want);
    expect(wrong).toEqual([]);
  });

  it('reads nothing from look-alike hosts and ordinary pages', () => {
    const any = (request: string) => accounts.map((a) => readAccount(a, request)).filter((id) => id !== null);
    expect(any('api.telegram.org.evil.example/bot123456:AAAA/getUpdates')).toEqual([]);
    expect(any('github.com/login')).toEqual([]);
    expect(any('pastebin.com/settings')).toEqual([]);
    expect(any('www.dropbox.com/home')).toEqual([]);
    expect(any('dashboard.ngrok.com/get-started')).toEqual([]);
  });

  it('covers the services the issue names, with secrets redacted from every example', () => {
    const kinds = new Set(accounts.map((a) => a.kind));
    for (const kind of ['telegram-bot', 'discord-webhook', 'discord-channel', 'discord-attachment', 'github-repo', 'github-gist',
      'pastebin-paste', 'paste-ee-paste', 'rentry-page', 'ghostbin-paste', 'dropbox-shared-link', 'google-drive-file', 'google-doc',
      'google-sheet', 'onedrive-share', 'onedrive-path', 'slack-webhook', 'slack-workspace', 'notion-page', 'mega-file', 'mega-folder',
      'ngrok-subdomain', 'trycloudflare-subdomain', 'devtunnel-id', 'localtunnel-subdomain', 'serveo-subdomain'])
      expect(kinds, kind).toContain(kind);
  });
});

describe('secret patterns of the shipped catalog', () => {
  const redactAll = (text: string) => secrets.reduce((out, s) => redactWith(s, out), text);

  it('redact each example to its expected text and leave ordinary URLs alone', () => {
    for (const s of secrets) expect(redactWith(s, s.example), s.name).toBe(s.expect);
    const plain = 'github.com/evil-org/tools/raw/main/cmd.txt?ref=main&page=2';
    expect(redactAll(plain)).toBe(plain);
  });

  it('keep every account id readable after redaction', () => {
    for (const a of accounts) expect(readAccount(a, redactAll(a.example)) ?? '', a.kind).toContain(a.expect.slice(0, 8));
  });
});

describe('DuckDB (RE2) reads the same accounts and redacts the same secrets as JavaScript', () => {
  it('on every example', async () => {
    const engine = await NativeEngine.open();
    try {
      await engine.exec(redactMacroSql(secrets));
      await engine.exec('CREATE TABLE cases (i INTEGER, example VARCHAR, re VARCHAR)');
      await engine.append('cases', { i: accounts.map((_, i) => i), example: accounts.map((a) => a.example), re: accounts.map((a) => a.regex) },
        { i: 'INTEGER', example: 'VARCHAR', re: 'VARCHAR' });
      const rows = await engine.all<{ got: string | null }>(
        'SELECT CASE WHEN regexp_matches(example, re) THEN regexp_extract(example, re, 1) END AS got FROM cases ORDER BY i',
      );
      expect(rows.map((r) => r.got)).toEqual(accounts.map((a) => a.expect));
      const texts = [...secrets.map((s) => s.example), 'nothing secret here'];
      await engine.exec('CREATE TABLE texts (i INTEGER, t VARCHAR)');
      await engine.append('texts', { i: texts.map((_, i) => i), t: texts }, { i: 'INTEGER', t: 'VARCHAR' });
      const redacted = await engine.all<{ out: string }>('SELECT rw_redact(t) AS out FROM texts ORDER BY i');
      const all = (text: string) => secrets.reduce((out, s) => redactWith(s, out), text);
      expect(redacted.map((r) => r.out)).toEqual(texts.map(all));
      expect(redacted.filter((r) => r.out.includes(REDACTED))).toHaveLength(secrets.length);
    } finally {
      engine.close();
    }
  });
});

describe('the catalog linter on account and secret patterns', () => {
  it('reports an unknown service, a wrong group count, a wrong example and an example with no secret', () => {
    const base = structuredClone(catalog) as Catalog;
    const account = (over: Partial<AccountPattern>): AccountPattern => ({
      service_id: 'telegram', kind: 'telegram-bot', regex: '^api\\.telegram\\.org/bot([0-9]+):', example: 'api.telegram.org/bot12345:x',
      expect: '12345', sources: ['vendor-docs'], ...over,
    });
    const secret = (over: Partial<SecretPattern>): SecretPattern => ({
      name: 'demo', regex: '(k=)([a-z]+)()', example: 'k=abc', expect: `k=${REDACTED}`, sources: ['vendor-docs'], ...over,
    });
    base.accounts = [
      account({}), account({ service_id: 'nowhere' }), account({ regex: '^api\\.telegram\\.org/bot[0-9]+:' }),
      account({ expect: '999' }), account({ sources: ['made-up'] }),
    ];
    base.secrets = [secret({}), secret({ name: 'two', regex: '(k=)([a-z]+)' }), secret({ name: 'none', example: 'K=ABC', expect: 'K=ABC' })];
    const issues = validateCatalog(base);
    const expected = [
      "account pattern #2: service 'nowhere' is not in the catalog",
      'account pattern #3: regex needs exactly 1 capture group(s)',
      'account pattern #4: example reads "12345", not "999"',
      "account pattern #5: unknown source 'made-up'",
      "secret pattern 'two': regex needs exactly 3 capture group(s)",
      "secret pattern 'none': example holds no secret",
    ];
    expect([...issues].sort()).toEqual([...expected].sort());
  });
});
