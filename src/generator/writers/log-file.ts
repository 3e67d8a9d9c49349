/** What every log writer implements: a header, lines per activity (possibly none), a footer. */
import type { Activity } from '../activity.ts';
import type { Organisation } from '../organisation.ts';

export interface LogFile {
  /** Path-like file name inside the scenario ("zeek/conn.log"). */
  readonly name: string;
  header(): string;
  /** Appends the lines this sensor would log for the activity. */
  write(activity: Activity, lines: string[]): void;
  footer(): string;
}

export interface WriterContext {
  org: Organisation;
  /** First and last instant of the simulated window (UTC micros). */
  startUs: number;
  endUs: number;
}

/** Packets for a byte count, as a sensor would roughly count them (MSS ~1400 plus handshake). */
export function packets(bytes: number): number {
  return Math.ceil(bytes / 1400) + 3;
}

/** Image file name of a Windows or Unix path. */
export function baseName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('\\'), path.lastIndexOf('/')) + 1);
}
