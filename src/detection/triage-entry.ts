/** An investigator's verdict and note on one finding: the shape stored in the browser, in workspaces and in exports. */

export const VERDICTS = ['benign', 'suspicious', 'malicious'] as const;
export type Verdict = (typeof VERDICTS)[number];

export interface TriageEntry {
  finding_id: string;
  verdict: Verdict;
  note: string;
  /** ISO-8601 time of the last change. */
  updated: string;
}

export const MAX_NOTE_LENGTH = 2000;

/** A stored entry is used only if it has the expected shape (storage outlives code versions). */
export function validEntry(value: unknown): TriageEntry | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  if (typeof v.finding_id !== 'string' || v.finding_id.length > 256) return null;
  if (!VERDICTS.includes(v.verdict as Verdict)) return null;
  return {
    finding_id: v.finding_id,
    verdict: v.verdict as Verdict,
    note: typeof v.note === 'string' ? v.note.slice(0, MAX_NOTE_LENGTH) : '',
    updated: typeof v.updated === 'string' ? v.updated : new Date(0).toISOString(),
  };
}

