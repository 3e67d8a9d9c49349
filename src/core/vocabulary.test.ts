import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NativeEngine } from '../engine/native-engine.ts';
import { canonicalDdl } from './canonical.ts';
import { CONTEXT_DDL } from './context-schema.ts';
import { CONTEXT_EXTRA_DDL } from '../context/context.ts';
import { NETWORK_KINDS, TIME_BIN_LADDER_MS, binsForWidth, niceBinMs } from './vocabulary.ts';
import { formatBytes } from './format-bytes.ts';

let engine: NativeEngine;
const one = async <T>(sql: string, params: (string | number | null)[] = []) => (await engine.all<{ v: T }>(`SELECT ${sql} AS v`, params))[0].v;

beforeAll(async () => {
  engine = await NativeEngine.open();
  await engine.exec(canonicalDdl() + CONTEXT_DDL + CONTEXT_EXTRA_DDL);
});
afterAll(() => engine.close());

describe('rw_short_host', () => {
  it.each([
    ['WS01.corp.local', 'ws01'],
    ['  App02 ', 'app02'],
    ['10.1.2.3', '10.1.2.3'],
    ['fe80::1', 'fe80::1'],
    ['', null],
    [null, null],
  ])('%s → %s', async (host, short) => {
    expect(await one('rw_short_host(CAST(? AS VARCHAR))', [host])).toBe(short);
  });
});

describe('rw_source_key', () => {
  it('prefers the host name, then the host the IP maps to, then the IP', async () => {
    expect(await one("rw_source_key('WS01.corp', 'other', '10.0.0.1')")).toBe('ws01');
    expect(await one("rw_source_key(NULL, 'ws02', '10.0.0.2')")).toBe('ws02');
    expect(await one("rw_source_key(' ', NULL, '10.0.0.3')")).toBe('10.0.0.3');
    expect(await one('rw_source_key(NULL, NULL, NULL)')).toBeNull();
  });
});

describe('rw_dst_name and rw_process_name', () => {
  it('compares destinations in lower case without the trailing dot', async () => {
    expect(await one("rw_dst_name('API.Telegram.org.')")).toBe('api.telegram.org');
    expect(await one('rw_dst_name(NULL)')).toBeNull();
  });
  it('names a process by its image file, whatever the path style', async () => {
    expect(await one("rw_process_name('C:\\Tools\\RClone.exe')")).toBe('rclone.exe');
    expect(await one("rw_process_name('/usr/bin/Curl')")).toBe('curl');
    expect(await one("rw_process_name('svchost.exe')")).toBe('svchost.exe');
  });
});

describe('rw_network_kind', () => {
  it('is true for network kinds only', async () => {
    for (const kind of NETWORK_KINDS) expect(await one('rw_network_kind(?)', [kind])).toBe(true);
    for (const kind of ['process', 'alert', 'saas']) expect(await one('rw_network_kind(?)', [kind])).toBe(false);
  });
});

describe('rw_inbound', () => {
  it.each([
    ['{"local_orig":"F","local_resp":"T"}', true],
    ['{"local_orig":false,"local_resp":true}', true],
    ['{"local_orig":"T","local_resp":"F"}', false],
    ['{"local_orig":"F","local_resp":"F"}', false],
    ['{"history":"S"}', false],
    [null, false],
  ])('%s → %s', async (extra, inbound) => {
    expect(await one('rw_inbound(CAST(? AS VARCHAR))', [extra])).toBe(inbound);
  });
});

describe('rw_continued', () => {
  it.each([
    ['{"interface-id":"eni-1","continued":"true"}', true],
    ['{"interface-id":"eni-1"}', false],
    [null, false],
  ])('%s → %s', async (extra, continued) => {
    expect(await one('rw_continued(CAST(? AS VARCHAR))', [extra])).toBe(continued);
  });
});

describe('rw_private_ip', () => {
  it.each([
    ['10.1.2.3', true], ['172.16.0.1', true], ['172.32.0.1', false], ['192.168.1.1', true], ['100.64.0.1', true],
    ['100.128.0.1', false], ['8.8.8.8', false], ['fd00::1', true], ['fe80::1', true], ['2001:db8::1', false], ['110.1.2.3', false],
  ])('%s → %s', async (ip, isPrivate) => {
    expect(await one('rw_private_ip(?)', [ip])).toBe(isPrivate);
  });
});

describe('rw_copy_key and rw_record_richness', () => {
  it('keys copies of one observation alike to the second, and keeps sensors with and without a process apart', async () => {
    const key = (process: string | null, ts: string) => one<string[]>(`rw_copy_key('flow', 'ws01', 'api.telegram.org', CAST(? AS VARCHAR), TIMESTAMP '${ts}')`, [process]);
    expect(await key(null, '2024-05-01 10:00:00.120')).toEqual(await key(null, '2024-05-01 10:00:00.980'));
    expect(await key(null, '2024-05-01 10:00:00.980')).not.toEqual(await key(null, '2024-05-01 10:00:01.010'));
    expect(await key('evil.exe', '2024-05-01 10:00:00')).not.toEqual(await key(null, '2024-05-01 10:00:00'));
  });
  it('counts what a record tells', async () => {
    expect(await one("rw_record_richness('/x', 'GET', NULL, 10, NULL)")).toBe(3);
    expect(await one('rw_record_richness(NULL, NULL, NULL, NULL, NULL)')).toBe(0);
  });
});

describe('rw_event_count', () => {
  it('counts the records of the log type that saw most, so one connection in two logs is one event', async () => {
    const count = async (where: string) => (await engine.all<{ n: number }>(
      `SELECT rw_event_count(CASE WHEN ${where} THEN kind END) AS n FROM (VALUES ('flow', 1), ('tls', 1), ('flow', 2), ('tls', 2), ('flow', 3), ('dns', 3)) t(kind, id)`))[0].n;
    expect(await count('true')).toBe(3);
    expect(await count('id = 1')).toBe(1);
    expect(await count('id = 3')).toBe(1);
    expect(await count('false')).toBe(0);
  });
});

describe('time-bin ladder', () => {
  it('picks the smallest readable bin that fits the budget, in SQL as in JS', async () => {
    expect(niceBinMs(86_400_000, 180)).toBe(10 * 60_000);
    expect(niceBinMs(3_600_000, 1000)).toBe(5_000);
    expect(niceBinMs(365 * 86_400_000, 10)).toBe(28 * 86_400_000 * 2);
    for (const [span, bins] of [[86_400_000, 180], [3_600_000, 1000], [365 * 86_400_000, 10], [1, 50], [30 * 3_600_000 + 1, 100], [7_000, 3]]) {
      expect(await one<number>('CAST(rw_bin_ms(?, ?) AS BIGINT)', [span, bins])).toBe(niceBinMs(span, bins));
    }
    expect(TIME_BIN_LADDER_MS).toEqual([...TIME_BIN_LADDER_MS].sort((a, b) => a - b));
    expect(binsForWidth(400)).toBe(100);
    expect(binsForWidth(-5)).toBe(10);
  });
});

describe('rw_ip_host_map', () => {
  it('maps an IP by the inventory row first, then host_roles, then the logs that carry both', async () => {
    await engine.exec(`
      INSERT INTO inventory (match, match_kind, hostname) VALUES ('10.0.0.1', 'ip', 'DC01.corp.local');
      INSERT INTO host_roles (src_ip, src_host, role_origin) VALUES ('10.0.0.1', 'other', 'inferred'), ('10.0.0.2', 'WS02.corp', 'inferred');
      INSERT INTO events (ts, kind, src_ip, src_host) VALUES
        (TIMESTAMP '2024-01-01', 'process', '10.0.0.2', 'elsewhere'), (TIMESTAMP '2024-01-01', 'process', '10.0.0.3', 'WS03'),
        (TIMESTAMP '2024-01-01', 'process', '10.0.0.3', 'WS03'), (TIMESTAMP '2024-01-01', 'process', '10.0.0.3', 'ws99');`);
    const rows = await engine.all<{ src_ip: string; host: string }>('SELECT src_ip, host FROM rw_ip_host_map() ORDER BY src_ip');
    expect(rows.map((r) => [r.src_ip, r.host])).toEqual([['10.0.0.1', 'dc01'], ['10.0.0.2', 'ws02'], ['10.0.0.3', 'ws03']]);
  });
});

describe('formatBytes', () => {
  it('reads the same in every view', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(-1536)).toBe('-1.5 KiB');
    expect(formatBytes(5 * 1048576)).toBe('5.0 MiB');
    expect(formatBytes(null)).toBe('—');
    expect(formatBytes(Number.NaN)).toBe('—');
  });
});

describe('rw_api_direction', () => {
  it.each([
    [['file-download'], 'POST', 'read'],
    [['file-list'], 'POST', 'read'],
    [['file-upload'], 'POST', 'write'],
    [['file-upload'], 'GET', 'read'],
    [['file-upload'], null, 'write'],
    [['message-read', 'message-send'], 'POST', 'write'],
    [['message-read', 'message-send'], 'GET', 'read'],
    [['api'], 'DELETE', 'write'],
    [['bot-api'], 'get', 'read'],
    [['api'], null, null],
  ])('%s %s → %s', async (uses, method, direction) => {
    expect(await one('rw_api_direction(CAST(? AS VARCHAR[]), CAST(? AS VARCHAR))', [JSON.stringify(uses).replaceAll('"', "'"), method])).toBe(direction);
  });
});
