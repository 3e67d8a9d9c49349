/** Every Sysmon export shape Relaywatch reads, for the adapter registry. */
import type { Adapter } from '../ingest/adapter.ts';
import { sysmonEvtxecmdCsvAdapter, sysmonPowershellCsvAdapter } from './sysmon-csv.ts';
import {
  sysmonEvtxecmdJsonAdapter,
  sysmonFlatJsonAdapter,
  sysmonJsonArrayAdapter,
  sysmonWinlogbeatAdapter,
} from './sysmon-json.ts';
import { sysmonLinuxSyslogAdapter, sysmonXmlAdapter } from './sysmon-xml.ts';

export {
  sysmonEvtxecmdCsvAdapter,
  sysmonEvtxecmdJsonAdapter,
  sysmonFlatJsonAdapter,
  sysmonJsonArrayAdapter,
  sysmonLinuxSyslogAdapter,
  sysmonPowershellCsvAdapter,
  sysmonWinlogbeatAdapter,
  sysmonXmlAdapter,
};

/** All Sysmon adapters. */
export const SYSMON_ADAPTERS: readonly Adapter[] = [
  sysmonWinlogbeatAdapter,
  sysmonFlatJsonAdapter,
  sysmonEvtxecmdJsonAdapter,
  sysmonJsonArrayAdapter,
  sysmonEvtxecmdCsvAdapter,
  sysmonPowershellCsvAdapter,
  sysmonXmlAdapter,
  sysmonLinuxSyslogAdapter,
];
