/**
 * Problems found in user input. Every layer reports bad input through these types so the CLI can print
 * one line per problem (`file:line:column: message`) and exit with code 2, never with a stack trace.
 */

export interface Problem {
  file: string;
  /** 1-based physical line of the record (the end line for a record that spans several lines). */
  line?: number;
  /** 1-based field number within the record. */
  column?: number;
  message: string;
}

/**
 * One line of text: messages quote values from data files, and a value may hold a line break (a
 * quoted multi-line field) or a terminal escape sequence. Control characters are written as escapes
 * (`\n`, `\u001b`) so that one problem stays one line and nothing from a file reaches the terminal raw.
 */
export function formatProblem(problem: Problem): string {
  let where = problem.file;
  if (problem.line !== undefined) where += `:${problem.line}`;
  if (problem.line !== undefined && problem.column !== undefined) where += `:${problem.column}`;
  return escapeControls(`${where}: ${problem.message}`);
}

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

export function escapeControls(text: string): string {
  return text.replace(CONTROL, (char) => NAMED[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Bad data or a bad policy file: exit code 2, each problem printed on its own line. */
export class InputError extends Error {
  constructor(
    readonly problems: Problem[],
    readonly omitted = 0,
  ) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'InputError';
  }
}

/** A mistake in the command line itself (unknown material, bad --year): exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** How many problems of one file are kept; the rest are counted so the user knows there were more. */
export const MAX_PROBLEMS_PER_FILE = 50;

/** Collects the problems of one file up to the cap, counting the ones beyond it. */
export class ProblemList {
  readonly kept: Problem[] = [];
  omitted = 0;

  add(problem: Problem): void {
    if (this.kept.length < MAX_PROBLEMS_PER_FILE) this.kept.push(problem);
    else this.omitted += 1;
  }

  get count(): number {
    return this.kept.length + this.omitted;
  }
}
