import { DataType, type Table, type Vector } from 'apache-arrow';

/**
 * The one place where Arrow values become plain JS (the SqlEngine contract in src/core/sql-engine.ts):
 * 64-bit integers and decimals → number, timestamps and dates → epoch milliseconds, lists → arrays, structs → objects.
 */
export function arrowValue(value: unknown, type: DataType): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number(value);
  if (DataType.isTimestamp(type) || DataType.isDate(type)) {
    return typeof value === 'number' ? value : value instanceof Date ? value.getTime() : Number(value);
  }
  if (DataType.isDecimal(type)) {
    const scale = (type as unknown as { scale: number }).scale;
    return Number(String(value)) / 10 ** scale;
  }
  if (DataType.isList(type)) {
    const child = (type as unknown as { children: { type: DataType }[] }).children[0].type;
    return Array.from(value as Iterable<unknown>, (v) => arrowValue(v, child));
  }
  if (DataType.isStruct(type)) {
    const out: Record<string, unknown> = Object.create(null);
    const fields = (type as unknown as { children: { name: string; type: DataType }[] }).children;
    const row = value as Record<string, unknown>;
    for (const f of fields) out[f.name] = arrowValue(row[f.name], f.type);
    return out;
  }
  return value;
}

/** Rows [offset, offset+limit) of an Arrow table as plain objects (for small results and pages only). */
export function tableRows<T = Record<string, unknown>>(table: Table, offset = 0, limit = Infinity): T[] {
  const end = Math.min(table.numRows, offset + limit);
  const fields = table.schema.fields;
  const columns = fields.map((f) => table.getChild(f.name) as Vector | null);
  const rows: T[] = [];
  for (let i = offset; i < end; i++) {
    const row: Record<string, unknown> = Object.create(null);
    fields.forEach((f, c) => {
      row[f.name] = arrowValue(columns[c]?.get(i), f.type);
    });
    rows.push(row as T);
  }
  return rows;
}
