/** The asset inventory CSV (`ip,hostname,role,os,business_unit,owner,criticality`). */
import type { Organisation } from '../organisation.ts';

export const INVENTORY_COLUMNS = ['ip', 'hostname', 'role', 'os', 'business_unit', 'owner', 'criticality'];

/** Inventory rows for the hosts marked `inInventory` (the rest are left for role inference). */
export function inventoryCsv(org: Organisation): string {
  const rows = org.hosts
    .filter((h) => h.inInventory)
    .map((h) => [h.ip, h.name, h.role, h.os, h.businessUnit, h.owner, h.criticality].map(csvCell).join(','));
  return [INVENTORY_COLUMNS.join(','), ...rows].join('\n') + '\n';
}

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
