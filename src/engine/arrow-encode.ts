import { Bool, Float64, Int32, Table, Utf8, makeData, makeVector, tableToIPC, type DataType, type Vector } from 'apache-arrow';

/**
 * Columnar JS values → Arrow IPC plus the SELECT list that casts them into the target table's types.
 *
 * Vectors are assembled from typed arrays with `makeData` rather than Arrow's builders: the builders compile
 * their null checks with `new Function`, which our Content-Security-Policy (rightly) forbids.
 * Timestamps travel as epoch microseconds (Float64, exact below 2^53) and become TIMESTAMP with make_timestamp();
 * 64-bit integers travel as Float64 and are cast back, so no Arrow unit or BigInt conventions are involved.
 */
export function columnsToIpc(
  columns: Record<string, readonly unknown[]>,
  types: Record<string, string>,
): { ipc: Uint8Array; selectList: string } {
  const vectors: Record<string, Vector> = {};
  const select: string[] = [];
  for (const [name, values] of Object.entries(columns)) {
    const type = types[name] ?? 'VARCHAR';
    const quoted = '"' + name.replaceAll('"', '""') + '"';
    switch (type) {
      case 'TIMESTAMP':
        vectors[name] = numberVector(values, new Float64(), Float64Array);
        select.push(`make_timestamp(${quoted}::BIGINT) AS ${quoted}`);
        break;
      case 'BIGINT':
      case 'DOUBLE':
        vectors[name] = numberVector(values, new Float64(), Float64Array);
        select.push(`${quoted}::${type} AS ${quoted}`);
        break;
      case 'INTEGER':
        vectors[name] = numberVector(values, new Int32(), Int32Array);
        select.push(quoted);
        break;
      case 'BOOLEAN':
        vectors[name] = boolVector(values);
        select.push(quoted);
        break;
      default:
        vectors[name] = utf8Vector(values);
        select.push(quoted);
    }
  }
  return { ipc: tableToIPC(new Table(vectors), 'stream'), selectList: select.join(', ') };
}

function validity(values: readonly unknown[]): { bitmap: Uint8Array; nullCount: number } {
  const bitmap = new Uint8Array(Math.ceil(values.length / 8));
  let nullCount = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) nullCount++;
    else bitmap[i >> 3] |= 1 << (i & 7);
  }
  return { bitmap, nullCount };
}

function numberVector<T extends DataType>(
  values: readonly unknown[],
  type: T,
  ArrayType: Float64ArrayConstructor | Int32ArrayConstructor,
): Vector {
  const data = new ArrayType(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== null && v !== undefined) data[i] = Number(v);
  }
  const { bitmap, nullCount } = validity(values);
  return makeVector(makeData({ type, length: values.length, nullCount, nullBitmap: bitmap, data } as never));
}

function boolVector(values: readonly unknown[]): Vector {
  const data = new Uint8Array(Math.ceil(values.length / 8));
  values.forEach((v, i) => {
    if (v === true) data[i >> 3] |= 1 << (i & 7);
  });
  const { bitmap, nullCount } = validity(values);
  return makeVector(makeData({ type: new Bool(), length: values.length, nullCount, nullBitmap: bitmap, data }));
}

const encoder = new TextEncoder();

function utf8Vector(values: readonly unknown[]): Vector {
  const offsets = new Int32Array(values.length + 1);
  let capacity = 0;
  for (const v of values) if (v !== null && v !== undefined) capacity += String(v).length * 3;
  const bytes = new Uint8Array(Math.max(capacity, 1));
  let position = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== null && v !== undefined) {
      position += encoder.encodeInto(String(v), bytes.subarray(position)).written;
    }
    offsets[i + 1] = position;
  }
  const { bitmap, nullCount } = validity(values);
  return makeVector(
    makeData({
      type: new Utf8(),
      length: values.length,
      nullCount,
      nullBitmap: bitmap,
      valueOffsets: offsets,
      data: bytes.subarray(0, position),
    }),
  );
}
