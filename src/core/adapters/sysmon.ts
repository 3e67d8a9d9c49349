/** Every Sysmon / Windows event export shape Relaywatch reads, for the adapter registry. */
import type { Adapter } from '../ingest/adapter.ts';
import { sysmonEvtxecmdCsvAdapter, sysmonPowershellCsvAdapter } from './sysmon-csv.ts';
import {
  sysmonEvtxecmdJsonAdapter,
  sysmonFlatJsonAdapter,
  sysmonJsonArrayAdapter,
  sysmonWinlogbeatAdapter,
  windowsWinlogbeat6Adapter,
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
  windowsWinlogbeat6Adapter,
};

/** All Sysmon adapters. */
export const SYSMON_ADAPTERS: readonly Adapter[] = [
  sysmonWinlogbeatAdapter,
  windowsWinlogbeat6Adapter,
  sysmonFlatJsonAdapter,
  sysmonEvtxecmdJsonAdapter,
  sysmonJsonArrayAdapter,
  sysmonEvtxecmdCsvAdapter,
  sysmonPowershellCsvAdapter,
  sysmonXmlAdapter,
  sysmonLinuxSyslogAdapter,
];
