/**
 * Making text from data files safe in each output: no terminal control sequences in the table,
 * no spreadsheet formulas in CSV, no broken rows in markdown tables.
 */

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** Text for a terminal: control characters (ESC sequences, newlines, bells) become "?". */
export function safeText(value: string): string {
  return value.replace(CONTROL, '?');
}

const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A CSV cell: quoted when needed, and a leading =, +, -, @, tab or carriage return neutralised with
 * a single quote so spreadsheets do not run it as a formula (OWASP "CSV injection"). Numbers are
 * written by csvNumber and never pass through here.
 */
export function csvCell(value: string): string {
  const neutral = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(neutral) ? `"${neutral.replace(/"/g, '""')}"` : neutral;
}

export function csvNumber(value: number | null): string {
  return value === null ? '' : String(value);
}

/** A markdown table cell: pipes and backslashes escaped, line breaks and control characters removed. */
export function markdownCell(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/\r\n|\r|\n/g, ' ')
    .replace(CONTROL, '');
}
