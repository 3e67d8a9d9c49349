/* eslint-disable svelte/prefer-svelte-reactivity -- `entriesById` is a `$state.raw` snapshot, replaced whole on each change; dates are only formatted */
/**
 * Triage: an investigator's verdict and note per finding (kept across reloads, keyed by finding id), approving a
 * finding's service for its host, role or process in the approved-service policy (which re-scores at once), and
 * an undo stack over both kinds of action.
 */
import { getContext, setContext } from 'svelte';
import type { Finding } from '../detection/detect.ts';
import { checkPolicyRow, type PolicyRow } from '../context/policy.ts';
import type { Catalog } from '../context/catalog.ts';
import type { TriageStorage } from './triage-storage.ts';
import { MAX_NOTE_LENGTH, validEntry, type TriageEntry, type Verdict } from '../detection/triage-entry.ts';

export type ApprovalScope = 'host' | 'role' | 'process';

/** What triage needs from the workbench: the policy, the catalog it is checked against, and a way to replace it. */
export interface PolicyTarget {
  readonly policy: readonly PolicyRow[];
  readonly catalog: Catalog;
  setPolicy(rows: PolicyRow[]): Promise<void>;
}

export type TriageAction =
  | { kind: 'verdict'; label: string; findingId: string; before: TriageEntry | null }
  | { kind: 'approval'; label: string; row: PolicyRow };

const sameRow = (a: PolicyRow, b: PolicyRow) =>
  a.service_id === b.service_id && a.scope_kind === b.scope_kind && a.scope_value === b.scope_value;

/**
 * The policy row that approves the finding's service for one scope, canonicalised by the policy checker, or the
 * reason it cannot be made (no catalogued service, no role known, no process in the logs).
 */
export function approvalRow(finding: Finding, scope: ApprovalScope, catalog: Catalog, note: string | null = null): PolicyRow | string {
  if (!finding.service) return 'the destination is not a catalogued service';
  const value =
    scope === 'host' ? (finding.source.hostname ?? finding.source.ip)
    : scope === 'role' ? finding.source.role
    : finding.source.process;
  if (!value) return scope === 'host' ? 'the source has no host name or IP' : `no ${scope} is known for this source`;
  return checkPolicyRow({ service_id: finding.service.id, scope_kind: scope, scope_value: value, note }, catalog);
}

export class Triage {
  entriesById = $state.raw<ReadonlyMap<string, TriageEntry>>(new Map());
  history = $state.raw<readonly TriageAction[]>([]);
  busy = $state(false);
  error = $state<string | null>(null);

  constructor(
    private readonly target: PolicyTarget,
    private readonly storage: TriageStorage,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Reads the stored verdicts (call once at start). */
  async load(): Promise<void> {
    try {
      const entries = (await this.storage.load()).map(validEntry).filter((e): e is TriageEntry => e !== null);
      this.entriesById = new Map(entries.map((e) => [e.finding_id, e]));
    } catch (error) {
      this.error = `Saved triage could not be read: ${error instanceof Error ? error.message : String(error)}`;
    }
  }

  get(findingId: string): TriageEntry | null {
    return this.entriesById.get(findingId) ?? null;
  }

  /** Every verdict, oldest change first, for the exports. */
  entries(): TriageEntry[] {
    return [...this.entriesById.values()].sort((a, b) => a.updated.localeCompare(b.updated) || a.finding_id.localeCompare(b.finding_id));
  }

  /** Marks a finding benign, suspicious or malicious with a note. */
  async setVerdict(findingId: string, verdict: Verdict, note: string): Promise<void> {
    const entry: TriageEntry = { finding_id: findingId, verdict, note: note.trim().slice(0, MAX_NOTE_LENGTH), updated: this.now().toISOString() };
    const before = this.get(findingId);
    await this.run(async () => {
      await this.writeEntry(findingId, entry);
      this.push({ kind: 'verdict', label: `marking ${verdict}`, findingId, before });
    });
  }

  /**
   * Approves the finding's service for its host, role or process: adds one row to the policy, which re-applies
   * the context and re-scores. Returns an error message instead when no row can be made or it already exists.
   */
  async approve(finding: Finding, scope: ApprovalScope, note = ''): Promise<string | null> {
    const reason = note.trim() ? note.trim() : `approved while triaging ${finding.id}`;
    const row = approvalRow(finding, scope, this.target.catalog, reason);
    if (typeof row === 'string') return `Cannot approve: ${row}`;
    if (this.target.policy.some((r) => sameRow(r, row))) return `Already approved for ${scope} ${row.scope_value}`;
    await this.run(async () => {
      await this.target.setPolicy([...this.target.policy, row]);
      this.push({ kind: 'approval', label: `approving ${finding.service?.name} for ${scope} ${row.scope_value}`, row });
    });
    return null;
  }

  /** Replaces every verdict with `entries` (opening a workspace); the undo history starts afresh. */
  async restore(entries: readonly TriageEntry[]): Promise<void> {
    const valid = entries.map(validEntry).filter((e): e is TriageEntry => e !== null);
    await this.run(async () => {
      for (const e of this.entries()) await this.storage.delete(e.finding_id);
      for (const e of valid) await this.storage.put(e);
      this.entriesById = new Map(valid.map((e) => [e.finding_id, e]));
      this.history = [];
    });
  }

  get canUndo(): boolean {
    return this.history.length > 0 && !this.busy;
  }

  /** Reverts the most recent verdict or approval. */
  async undo(): Promise<void> {
    const action = this.history.at(-1);
    if (!action || this.busy) return;
    await this.run(async () => {
      if (action.kind === 'verdict') {
        await this.writeEntry(action.findingId, action.before);
      } else {
        // Remove only the row this action added, so policy edits made elsewhere since then survive.
        const index = this.target.policy.findIndex((r) => sameRow(r, action.row));
        if (index >= 0) await this.target.setPolicy(this.target.policy.filter((_, i) => i !== index));
      }
      this.history = this.history.slice(0, -1);
    });
  }

  private async writeEntry(findingId: string, entry: TriageEntry | null): Promise<void> {
    if (entry) await this.storage.put(entry);
    else await this.storage.delete(findingId);
    const next = new Map(this.entriesById);
    if (entry) next.set(findingId, entry);
    else next.delete(findingId);
    this.entriesById = next;
  }

  private push(action: TriageAction): void {
    this.history = [...this.history, action];
  }

  private async run(body: () => Promise<void>): Promise<void> {
    this.busy = true;
    this.error = null;
    try {
      await body();
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
    } finally {
      this.busy = false;
    }
  }
}

const KEY = Symbol('triage');
export const setTriage = (triage: Triage) => setContext(KEY, triage);
export const useTriage = () => getContext<Triage>(KEY);
