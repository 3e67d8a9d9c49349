/**
 * The playbooks in use this session: the shipped ones until the analyst imports others.
 * One shared instance, so every open finding panel sees the same edits.
 */
import { importPlaybooks, shippedPlaybooks, type Playbook } from './playbook.ts';

class PlaybookLibrary {
  playbooks = $state.raw<Playbook[]>(shippedPlaybooks());
  issues = $state.raw<string[]>([]);

  /** Replaces playbooks with the same id and adds new ones; reports problems instead of loading bad ones. */
  import(json: string): void {
    const { playbooks, issues } = importPlaybooks(json);
    const ids = new Set(playbooks.map((p) => p.id));
    this.playbooks = [...this.playbooks.filter((p) => !ids.has(p.id)), ...playbooks].sort((a, b) => a.priority - b.priority);
    this.issues = issues;
  }

  reset(): void {
    this.playbooks = shippedPlaybooks();
    this.issues = [];
  }
}

export const playbookLibrary = new PlaybookLibrary();
