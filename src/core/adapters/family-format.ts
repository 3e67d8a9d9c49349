/**
 * The per-file format id of exports that mix sources (SIEM exports): it names the family of the file's
 * records when they share one (`ecs-zeek-ndjson`, `sentinel-vmconnection-json`) and is the bare shape once
 * families mix (`ecs-ndjson`), so readiness can file a one-source export under its telemetry class.
 */
export class FamilyFormat {
  private first: string | null | undefined = undefined;
  format: string;

  constructor(
    private readonly prefix: string,
    private readonly shape: string,
  ) {
    this.format = `${prefix}-${shape}`;
  }

  /** Note one record's family; null for a record of no particular family. */
  note(family: string | null): void {
    if (this.first === undefined) {
      this.first = family;
      if (family !== null) this.format = `${this.prefix}-${family}-${this.shape}`;
    } else if (family !== this.first) {
      this.format = `${this.prefix}-${this.shape}`;
    }
  }
}
