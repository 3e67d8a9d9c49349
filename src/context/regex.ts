const MAX_REGEX_LENGTH = 500;

/**
 * Why a regex cannot be used in both JavaScript and DuckDB (RE2), or null when it can.
 * RE2 has no look-around and no back-references; those fail only at query time in DuckDB.
 */
export function regexProblem(source: string): string | null {
  if (source.length > MAX_REGEX_LENGTH) return `longer than ${MAX_REGEX_LENGTH} characters`;
  if (/\(\?<?[=!]/.test(source)) return 'look-around is not supported by DuckDB (RE2)';
  if (/(^|[^\\])(\\\\)*\\[1-9]/.test(source)) return 'back-references are not supported by DuckDB (RE2)';
  try {
    new RegExp(source, 'i');
  } catch (error) {
    return `does not compile: ${(error as Error).message}`;
  }
  return null;
}
