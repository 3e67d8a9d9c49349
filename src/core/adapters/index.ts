import type { Adapter, BinaryAdapter } from '../ingest/adapter.ts';
import { zeekTsvAdapter } from './zeek-tsv.ts';
import { zeekJsonAdapter } from './zeek-json.ts';
import { suricataEveAdapter } from './suricata-eve.ts';
import { squidAdapter } from './squid.ts';
import { w3cElffAdapter } from './w3c-elff.ts';
import { paloAltoAdapter } from './palo-alto.ts';
import { fortigateAdapter } from './fortigate.ts';
import { cefAdapter } from './cef.ts';
import { windowsDnsDebugAdapter } from './windows-dns-debug.ts';
import { bindQueryAdapter } from './bind-query.ts';
import { nfdumpCsvAdapter } from './nfdump-csv.ts';
import { SYSMON_ADAPTERS } from './sysmon.ts';
import { mdeNetworkCsvAdapter, mdeNetworkJsonAdapter } from './mde-network.ts';
import { m365AuditCsvAdapter, m365AuditJsonAdapter } from './m365-audit.ts';
import { googleWorkspaceCsvAdapter } from './google-workspace.ts';
import { createMappedCsvAdapter, csvMappedAdapter, type ColumnMapping } from './csv-mapped.ts';
import { awsVpcFlowAdapter } from './aws-vpc-flow.ts';
import { awsRoute53ResolverAdapter } from './aws-route53-resolver.ts';
import { azureFlowAdapter } from './azure-flow.ts';
import { gcpVpcFlowAdapter } from './gcp-vpc-flow.ts';
import { cloudflareGatewayAdapter } from './cloudflare-gateway.ts';
import { umbrellaAdapter } from './umbrella.ts';
import { netskopeCsvAdapter, netskopeJsonAdapter } from './netskope.ts';
import { splunkCsvAdapter, splunkJsonAdapter } from './splunk.ts';
import { sentinelCsvAdapter, sentinelJsonAdapter } from './sentinel.ts';
import { ecsKibanaCsvAdapter, ecsNdjsonAdapter, ecsSearchJsonAdapter } from './ecs.ts';
import { pcapAdapter } from './pcap.ts';
import { auditdAdapter } from './auditd.ts';
import { osqueryAdapter } from './osquery.ts';

/**
 * Every format adapter. The pipeline picks the most confident sniffer; on a tie the earlier entry wins,
 * so more specific formats come first and the generic column-layout CSV presets last.
 */
export const ALL_ADAPTERS: readonly Adapter[] = [
  zeekTsvAdapter,
  zeekJsonAdapter,
  suricataEveAdapter,
  ecsSearchJsonAdapter,
  ecsNdjsonAdapter,
  ecsKibanaCsvAdapter,
  ...SYSMON_ADAPTERS,
  mdeNetworkCsvAdapter,
  mdeNetworkJsonAdapter,
  auditdAdapter,
  osqueryAdapter,
  m365AuditCsvAdapter,
  m365AuditJsonAdapter,
  googleWorkspaceCsvAdapter,
  squidAdapter,
  w3cElffAdapter,
  paloAltoAdapter,
  fortigateAdapter,
  cefAdapter,
  windowsDnsDebugAdapter,
  bindQueryAdapter,
  nfdumpCsvAdapter,
  awsVpcFlowAdapter,
  awsRoute53ResolverAdapter,
  sentinelJsonAdapter,
  sentinelCsvAdapter,
  splunkJsonAdapter,
  splunkCsvAdapter,
  azureFlowAdapter,
  gcpVpcFlowAdapter,
  cloudflareGatewayAdapter,
  umbrellaAdapter,
  netskopeJsonAdapter,
  netskopeCsvAdapter,
  csvMappedAdapter,
];

/** Formats read as bytes, recognised by magic number before any text decoding. */
export const BINARY_ADAPTERS: readonly BinaryAdapter[] = [pcapAdapter];

/** The adapter with this id (for a format the user picked by hand). */
export function adapterById(id: string): Adapter {
  const adapter = ALL_ADAPTERS.find((a) => a.id === id);
  if (!adapter) throw new Error(`Unknown format id: ${id}`);
  return adapter;
}

/** The adapter the user chose instead of sniffing (a column mapping, else a picked format); undefined to sniff. */
export function chosenAdapter(choice: { formatId?: string; mapping?: ColumnMapping }): Adapter | undefined {
  if (choice.mapping) return createMappedCsvAdapter(choice.mapping);
  return choice.formatId ? adapterById(choice.formatId) : undefined;
}
