import type { SqlEngine } from '../../engine/sql-engine.ts';

/**
 * One enrichment: the UPDATE, and `needs`, conditions on `events` that each must hold for some record before the
 * UPDATE can change anything (one record with a name to give, one that lacks it). Checking them stops at the first
 * match, whereas the UPDATE's joins scan every event even when one side is empty (no Sysmon, no DNS in the load).
 */
export interface EnrichStep {
  id: string;
  needs: readonly string[];
  /** Raw tables (and their columns) the UPDATE reads; the step is skipped when one is missing. */
  tables?: Readonly<Record<string, readonly string[]>>;
  sql: string;
}

/**
 * Writes Zeek's sni_matches_cert into the `extra` of each row the subquery `judged` (row_id, matches) judged: the
 * object with one more member (only rows whose `extra` ends its object are judged).
 */
const SET_SNI_MATCHES = `UPDATE events SET extra = left(events.extra, length(events.extra) - 1) || ',"sni_matches_cert":' || CAST(judged.matches AS VARCHAR) || '}'`;

/**
 * Joins between sources that make each record say more, run after every load and before the analysis.
 * Each step only fills values that are missing, so running it again changes nothing. `extra` is read and written as
 * text (regexp_extract), never with JSON functions: the browser's DuckDB has no JSON extension.
 */
export const ENRICH_STEPS: readonly EnrichStep[] = [
  {
    // Windows events that had only a zoneless local time (Security events in some flattened exports) move to UTC by
    // the offset their computer's Sysmon events show between UtcTime and the same envelope time (rounded to 15
    // minutes, as zones are), else by the offset of their file. First, so the joins below see corrected times.
    id: 'windows-local-time',
    needs: [`extra LIKE '%"EnvelopeLocalTime"%'`],
    sql: `
UPDATE events SET ts = events.ts + to_microseconds(fix.shift_us)
FROM (
  WITH stamped AS (
    SELECT rowid AS row_id, source_file, ts, lower(coalesce(src_host, nullif(regexp_extract(extra, '"Computer":\\s*"([^"]+)"', 1), ''))) AS host,
      epoch_us(ts) - epoch_us(CAST(nullif(regexp_extract(extra, '"EnvelopeLocalTime":\\s*"([^"]+)"', 1), '') AS TIMESTAMP)) AS gap_us
    FROM events WHERE extra LIKE '%"EnvelopeLocalTime"%'
  ), learnt AS (
    -- Events timed by their own UTC clock differ from their envelope; those timed by the envelope do not (yet).
    SELECT * FROM stamped WHERE abs(gap_us) >= 1000
  ), by_host AS (
    SELECT host, CAST(round(median(gap_us) / 900e6) * 900e6 AS BIGINT) AS shift_us FROM learnt GROUP BY host
  ), by_file AS (
    SELECT source_file, CAST(round(median(gap_us) / 900e6) * 900e6 AS BIGINT) AS shift_us FROM learnt GROUP BY source_file
  )
  SELECT s.row_id, coalesce(h.shift_us, f.shift_us) AS shift_us FROM stamped s
  LEFT JOIN by_host h ON h.host = s.host
  LEFT JOIN by_file f ON f.source_file = s.source_file
  WHERE abs(s.gap_us) < 1000 AND coalesce(h.shift_us, f.shift_us) <> 0
) AS fix
WHERE events.rowid = fix.row_id`,
  },
  {
    // A Zeek/Suricata flow learns the server name its own TLS or HTTP record saw (same uid / flow id).
    id: 'uid-link',
    needs: [
      "uid IS NOT NULL AND dst_host IS NOT NULL AND kind IN ('tls', 'http')",
      "uid IS NOT NULL AND dst_host IS NULL AND kind = 'flow'",
    ],
    sql: `
UPDATE events SET dst_host = named.dst_host, dst_host_origin = 'uid-link'
FROM (
  SELECT uid, min(rw_dst_name(dst_host)) AS dst_host FROM events
  WHERE uid IS NOT NULL AND dst_host IS NOT NULL AND kind IN ('tls', 'http')
  GROUP BY uid
) AS named
WHERE events.kind = 'flow' AND events.dst_host IS NULL AND events.uid = named.uid`,
  },
  {
    // A connection to an IP learns the name this same client resolved to that IP most recently (within an hour).
    id: 'passive-dns',
    needs: [
      "kind = 'dns' AND dns_answers IS NOT NULL AND dns_query IS NOT NULL AND src_ip IS NOT NULL",
      "dst_host IS NULL AND dst_ip IS NOT NULL AND src_ip IS NOT NULL AND kind <> 'dns'",
    ],
    sql: `
UPDATE events SET dst_host = resolved.name, dst_host_origin = 'passive-dns'
FROM (
  WITH answers AS (
    SELECT src_ip, trim(answer) AS ip, ts, rw_dst_name(dns_query) AS name
    FROM (SELECT src_ip, ts, dns_query, unnest(string_split(dns_answers, ',')) AS answer FROM events
          WHERE kind = 'dns' AND dns_answers IS NOT NULL AND dns_query IS NOT NULL AND src_ip IS NOT NULL)
  ), unnamed AS (
    SELECT rowid AS row_id, src_ip, dst_ip, ts FROM events
    WHERE dst_host IS NULL AND dst_ip IS NOT NULL AND src_ip IS NOT NULL AND kind <> 'dns'
  )
  SELECT u.row_id, a.name FROM unnamed u
  ASOF JOIN answers a ON u.src_ip = a.src_ip AND u.dst_ip = a.ip AND u.ts >= a.ts
  WHERE u.ts - a.ts <= INTERVAL 1 HOUR
) AS resolved
WHERE events.rowid = resolved.row_id`,
  },
  {
    // A proxy, wire or firewall record learns the process behind it from an endpoint connection (Sysmon 3, Defender)
    // of the same client to the same destination that began at most 5 seconds before the request did.
    id: 'endpoint-process',
    needs: [
      "kind = 'flow' AND process IS NOT NULL AND src_ip IS NOT NULL AND dst_host IS NOT NULL",
      "process IS NULL AND src_ip IS NOT NULL AND dst_host IS NOT NULL AND kind IN ('proxy', 'http', 'tls', 'flow', 'firewall')",
    ],
    sql: `
UPDATE events SET process = attributed.process, process_id = attributed.process_id, src_user = coalesce(events.src_user, attributed.src_user),
  process_origin = 'endpoint-flow'
FROM (
  WITH endpoint AS (
    SELECT src_ip, rw_dst_name(dst_host) AS dest, ts, process, process_id, src_user FROM events
    WHERE kind = 'flow' AND process IS NOT NULL AND src_ip IS NOT NULL AND dst_host IS NOT NULL
  ), wire AS (
    SELECT rowid AS row_id, src_ip, rw_dst_name(dst_host) AS dest,
      ts - to_microseconds(CAST(coalesce(duration, 0) * 1e6 AS BIGINT)) AS started
    FROM events
    WHERE process IS NULL AND src_ip IS NOT NULL AND dst_host IS NOT NULL
      AND kind IN ('proxy', 'http', 'tls', 'flow', 'firewall')
  )
  SELECT w.row_id, e.process, e.process_id, e.src_user FROM wire w
  ASOF JOIN endpoint e ON w.src_ip = e.src_ip AND w.dest = e.dest AND w.started + INTERVAL 5 SECOND >= e.ts
  WHERE w.started - e.ts <= INTERVAL 5 SECOND
) AS attributed
WHERE events.rowid = attributed.row_id`,
  },
  {
    // A Sysmon network or DNS event whose process Sysmon could not name ('<unknown process>') learns it from the
    // process start (Sysmon 1) of the same ProcessGuid, else the latest start of the same ProcessId on the same
    // computer before it — from any loaded file, as exports often split channels or days across files.
    id: 'process-start',
    needs: [
      "kind = 'process' AND process IS NOT NULL AND process_id IS NOT NULL",
      "process = '<unknown process>' AND kind IN ('flow', 'dns', 'firewall')",
    ],
    sql: `
UPDATE events SET process = started.process, process_origin = 'process-start'
FROM (
  WITH starts AS (
    SELECT uid AS guid, lower(src_host) AS host, process_id, ts, process FROM events
    WHERE kind = 'process' AND process IS NOT NULL AND process <> '<unknown process>'
  ), unknown AS (
    SELECT rowid AS row_id, nullif(regexp_extract(extra, '"ProcessGuid":\\s*"([^"]+)"', 1), '') AS guid, process_id, ts,
      lower(coalesce(src_host, nullif(regexp_extract(extra, '"Computer":\\s*"([^"]+)"', 1), ''))) AS host
    FROM events WHERE process = '<unknown process>' AND kind IN ('flow', 'dns', 'firewall')
  ), by_guid AS (
    SELECT u.row_id, s.process FROM unknown u
    JOIN (SELECT guid, min(process) AS process FROM starts WHERE guid IS NOT NULL GROUP BY guid) s ON u.guid = s.guid
  ), by_pid AS (
    SELECT u.row_id, s.process FROM unknown u
    ASOF JOIN starts s ON u.host = s.host AND u.process_id = s.process_id AND u.ts >= s.ts
    WHERE u.row_id NOT IN (SELECT row_id FROM by_guid)
  )
  SELECT * FROM by_guid UNION ALL SELECT * FROM by_pid
) AS started
WHERE events.rowid = started.row_id`,
  },
  {
    // A TLS record of an older Zeek, which did not yet say whether the server's certificate names the server the
    // client asked for, learns it as newer Zeek writes it (sni_matches_cert) from the x509 record of its first
    // certificate: subject CN and DNS SANs, a '*.' name covering one label. A C2 server behind a borrowed popular
    // name rarely holds that name's certificate.
    id: 'sni-certificate',
    tables: { raw_zeek_x509: ['id', 'san_dns', 'certificate_subject'] },
    needs: [`kind = 'tls' AND dst_host_origin = 'sni' AND extra LIKE '%"cert_chain_fuids"%' AND extra NOT LIKE '%"sni_matches_cert"%'`],
    sql: `
${SET_SNI_MATCHES}
FROM (
  WITH leaf AS (
    SELECT rowid AS row_id, rw_dst_name(dst_host) AS sni, regexp_extract(extra, '"cert_chain_fuids":\\s*\\[?"([^",\\]]+)', 1) AS fuid
    FROM events
    WHERE kind = 'tls' AND dst_host_origin = 'sni' AND extra LIKE '%"cert_chain_fuids"%' AND extra NOT LIKE '%"sni_matches_cert"%'
      -- extra cut short by the pipeline's bound does not end its object.
      AND extra LIKE '{%}' AND NOT regexp_matches(dst_host, '^[0-9.]+$|:')
  ), certs AS (
    SELECT id AS fuid, list_distinct(flatten(list(
      list_transform(string_split(coalesce(san_dns, ''), ',') || regexp_extract_all(coalesce(certificate_subject, ''), 'CN=([^,]+)', 1),
                     n -> lower(trim(n)))))) AS names
    FROM raw_zeek_x509 WHERE id IS NOT NULL GROUP BY id
  )
  SELECT l.row_id, list_contains(c.names, l.sni) OR list_contains(c.names, '*.' || substr(l.sni, strpos(l.sni, '.') + 1)) AS matches
  FROM leaf l JOIN certs c USING (fuid)
) AS judged
WHERE events.rowid = judged.row_id`,
  },
  {
    // A TLS record of an older Zeek with no x509 record to judge by still carries its leaf certificate's subject and
    // Zeek's validation of the chain (validate-certs). The subject CN alone is no test: an honest certificate names
    // most of its servers in DNS names only (CN=*.google.com serves youtube.com). So a CN that does not name the SNI
    // counts only when nothing vouches for the certificate: Zeek did not find the chain ok, and either the chain
    // itself failed (a self-signed certificate or root, a bad signature) or the CN is no host name at all, which no
    // public CA writes into a server certificate. Some failures say more about the sensor than the server: an
    // expired or not-yet-valid certificate did chain to a trusted root (OpenSSL checks times last), and a wrong clock
    // or a replayed capture fails every one that way; a missing issuer is an old root store or a server that sends
    // no intermediates, both common for honest servers.
    id: 'sni-subject',
    needs: [`kind = 'tls' AND dst_host_origin = 'sni' AND extra LIKE '%"subject"%' AND extra NOT LIKE '%"sni_matches_cert"%'`],
    sql: `
${SET_SNI_MATCHES}
FROM (
  WITH leaf AS (
    SELECT rowid AS row_id, rw_dst_name(dst_host) AS sni,
      list_transform(regexp_extract_all(regexp_extract(extra, '"subject":\\s*"((?:[^"\\\\]|\\\\.)*)"', 1), '(?:^|,)\\s*CN=([^,]*)', 1),
                     n -> lower(trim(n))) AS names,
      coalesce(nullif(regexp_extract(extra, '"validation_status":\\s*"([^"]*)"', 1), ''), '-') AS validation
    FROM events
    WHERE kind = 'tls' AND dst_host_origin = 'sni' AND extra LIKE '%"subject"%' AND extra NOT LIKE '%"sni_matches_cert"%'
      -- extra cut short by the pipeline's bound does not end its object.
      AND extra LIKE '{%}' AND NOT regexp_matches(dst_host, '^[0-9.]+$|:')
  ), judged AS (
    SELECT row_id, list_contains(names, sni) OR list_contains(names, '*.' || substr(sni, strpos(sni, '.') + 1)) AS matches,
      validation <> 'ok'
        AND (validation NOT IN ('-', 'certificate has expired', 'certificate is not yet valid', 'unable to get local issuer certificate',
                                'unable to get issuer certificate', 'unable to verify the first certificate')
             OR NOT list_bool_and(list_transform(names, n -> regexp_matches(n, '^(\\*\\.)?[a-z0-9_-]+(\\.[a-z0-9_-]+)+\\.?$|^[0-9a-f:]+:[0-9a-f:.]*$'))))
        AS unvouched
    FROM leaf WHERE len(names) > 0
  )
  SELECT row_id, matches FROM judged WHERE matches OR unvouched
) AS judged
WHERE events.rowid = judged.row_id`,
  },
  {
    // A network or DNS event learns its process's parent image from the process start (Sysmon 1) of the same
    // ProcessGuid, else the latest start of the same ProcessId and image name on the same computer before it: a shell
    // whose parent is a web server is how an exploited server runs commands. After 'process-start', which names them.
    id: 'process-parent',
    needs: [
      "kind = 'process' AND parent_process IS NOT NULL",
      "parent_process IS NULL AND process IS NOT NULL AND kind IN ('flow', 'dns', 'firewall')",
    ],
    sql: `
UPDATE events SET parent_process = started.parent_process
FROM (
  WITH starts AS (
    SELECT uid AS guid, lower(src_host) AS host, process_id, rw_process_name(process) AS name, ts, parent_process FROM events
    WHERE kind = 'process' AND parent_process IS NOT NULL
  ), orphans AS (
    SELECT rowid AS row_id, nullif(regexp_extract(extra, '"ProcessGuid":\\s*"([^"]+)"', 1), '') AS guid, process_id,
      rw_process_name(process) AS name, ts, lower(coalesce(src_host, nullif(regexp_extract(extra, '"Computer":\\s*"([^"]+)"', 1), ''))) AS host
    FROM events WHERE parent_process IS NULL AND process IS NOT NULL AND kind IN ('flow', 'dns', 'firewall')
  ), by_guid AS (
    SELECT o.row_id, s.parent_process FROM orphans o
    JOIN (SELECT guid, min(parent_process) AS parent_process FROM starts WHERE guid IS NOT NULL GROUP BY guid) s ON o.guid = s.guid
  ), by_pid AS (
    -- Process ids are reused: the start must be of the same image.
    SELECT o.row_id, s.parent_process FROM orphans o
    ASOF JOIN starts s ON o.host = s.host AND o.process_id = s.process_id AND o.name = s.name AND o.ts >= s.ts
    WHERE o.row_id NOT IN (SELECT row_id FROM by_guid)
  )
  SELECT * FROM by_guid UNION ALL SELECT * FROM by_pid
) AS started
WHERE events.rowid = started.row_id`,
  },
];

async function stepApplies(engine: SqlEngine, step: EnrichStep): Promise<boolean> {
  for (const [table, columns] of Object.entries(step.tables ?? {})) {
    const found = await engine.all<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns WHERE table_name = '${table}'`,
    );
    if (!columns.every((c) => found.some((f) => f.column_name === c))) return false;
  }
  for (const condition of step.needs) {
    if ((await engine.all(`SELECT 1 FROM events WHERE ${condition} LIMIT 1`)).length === 0) return false;
  }
  return true;
}

/** Runs every enrichment step that can change something; returns how many records each step changed. */
export async function enrichEvents(engine: SqlEngine): Promise<Record<string, number>> {
  const changed: Record<string, number> = {};
  for (const step of ENRICH_STEPS) {
    if (!(await stepApplies(engine, step))) {
      changed[step.id] = 0;
      continue;
    }
    const rows = await engine.all<{ Count?: number; count?: number }>(step.sql);
    changed[step.id] = Number(rows[0]?.Count ?? rows[0]?.count ?? 0);
  }
  return changed;
}
