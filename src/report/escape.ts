/**
 * The one escaping function of the HTML report. Every string that may come from logs goes through it before
 * it is placed in the document, whether between tags or inside a quoted attribute value.
 */
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Escapes text for HTML element content and for quoted attribute values (& < > " ' become entities).
 * Nothing is stripped: an investigator must see exactly what the log said.
 */
export function escapeHtml(value: unknown): string {
  if (value === null || value === undefined) return '';
  return String(value).replace(/[&<>"']/g, (c) => ENTITIES[c]);
}
