/**
 * A trainee's exercise: open a pack (in the exercise worker), load its inventory and logs into the workbench,
 * time the triage, then unseal the answer key with the trainer's passphrase and score the verdicts. The sealed
 * key stays in memory, unread, until Submit.
 */
import type { Workbench } from '../../app/workbench.svelte.ts';
import type { TriageEntry } from '../../detection/triage-entry.ts';
import { parseInventoryCsv } from '../../context/inventory.ts';
import type { AnswerKey } from '../../generator/index.ts';
import { UnsealError, unseal, type PublicExerciseInfo } from '../../exercise/seal.ts';
import { hostAddressesFromInventory, parseAnswerKey, scoreExercise, type ExerciseScore, type HostAddresses } from '../../exercise/score.ts';
import { ExerciseClient } from '../../../workers/clients.ts';

export type ExercisePhase = 'none' | 'opening' | 'running' | 'submitting' | 'scored';

export class ExerciseSession {
  phase = $state<ExercisePhase>('none');
  info = $state.raw<PublicExerciseInfo | null>(null);
  readme = $state<string | null>(null);
  logNames = $state.raw<string[]>([]);
  /** Problems with the pack's inventory (rows skipped), shown but not fatal. */
  inventoryIssues = $state.raw<string[]>([]);
  startedAt = $state<number | null>(null);
  submittedAt = $state<number | null>(null);
  key = $state.raw<AnswerKey | null>(null);
  score = $state.raw<ExerciseScore | null>(null);
  error = $state<string | null>(null);
  private sealedKey: string | null = null;
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- replaced whole, never rendered
  private hostAddresses: HostAddresses = new Map();

  constructor(
    private readonly workbench: Workbench,
    readonly client = new ExerciseClient(),
    private readonly now: () => number = Date.now,
  ) {}

  /** Opens a pack and loads it into a workbench that holds nothing else yet; the timer starts once findings are in. */
  async open(pack: File): Promise<void> {
    if (this.workbench.sources.length > 0) {
      this.error = 'Other logs are already loaded. Reload the page to start the exercise on a clean workbench, so only the pack is scored.';
      return;
    }
    this.error = null;
    this.phase = 'opening';
    const done = this.workbench.beginWork(`Opening the exercise pack (${(pack.size / 1024 / 1024).toFixed(1)} MiB)…`);
    try {
      const opened = await this.client.open(pack);
      this.info = opened.header.exercise;
      this.readme = opened.readme;
      this.logNames = opened.logs.map((f) => f.name);
      this.sealedKey = opened.sealedKey;
      if (opened.inventoryCsv) {
        const inventory = parseInventoryCsv(opened.inventoryCsv, { source: 'inventory/assets.csv' });
        this.inventoryIssues = inventory.issues;
        this.hostAddresses = hostAddressesFromInventory(inventory.entries);
        // Applied by the analysis that follows the load (an analysis now, on no logs, would drop the status to idle).
        this.workbench.inventories = [inventory.entries];
      }
      const offset = opened.header.exercise.utc_offset_minutes;
      this.workbench.utcOffsetMinutes = offset;
      await this.workbench.load(opened.logs.map((file) => ({ name: file.name, file })), { utcOffsetMinutes: offset });
      if (this.workbench.status === 'error') throw new Error(this.workbench.error ?? 'The logs could not be loaded');
      this.startedAt = this.now();
      this.phase = 'running';
    } catch (error) {
      done();
      this.phase = 'none';
      this.sealedKey = null;
      this.error = error instanceof Error ? error.message : String(error);
    }
  }

  /** Milliseconds since the logs finished loading (frozen at a successful submit). */
  elapsed(at: number = this.now()): number {
    if (this.startedAt === null) return 0;
    return (this.submittedAt ?? at) - this.startedAt;
  }

  /** Unseals the answer key and scores the verdicts on the current findings. A wrong passphrase keeps the exercise running. */
  async submit(passphrase: string, entries: ReadonlyMap<string, TriageEntry>): Promise<void> {
    if (this.phase !== 'running' || !this.sealedKey) return;
    const pressedAt = this.now();
    this.error = null;
    this.phase = 'submitting';
    try {
      const key = parseAnswerKey(await unseal(this.sealedKey, passphrase));
      // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local, passed to the scorer
      const verdicts = new Map([...entries.values()].map((e) => [e.finding_id, e.verdict]));
      this.submittedAt = pressedAt;
      this.key = key;
      this.score = scoreExercise(key, this.workbench.findings, verdicts, this.elapsed(), this.hostAddresses);
      this.phase = 'scored';
    } catch (error) {
      this.phase = 'running';
      this.error = error instanceof UnsealError ? 'Wrong passphrase — ask your trainer, and check the caps lock.' : error instanceof Error ? error.message : String(error);
    }
  }
}

const sessions = new WeakMap<Workbench, ExerciseSession>();

/**
 * The exercise session of a workbench, created on first use. Tied to the workbench rather than to the view, so
 * the timer and the sealed key survive switching to the findings view to triage and back.
 */
export function exerciseSessionFor(workbench: Workbench): ExerciseSession {
  let session = sessions.get(workbench);
  if (!session) sessions.set(workbench, (session = new ExerciseSession(workbench)));
  return session;
}
