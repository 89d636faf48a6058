/**
 * Fitting terminal output to a width: the width to use, visible lengths (ANSI colour codes do not
 * count, East Asian wide characters count twice), word wrapping of prose, and one table layout shared
 * by every terminal table. A table is laid out in the first of three ways that fits:
 *
 * - `table`: every column as wide as its widest cell;
 * - `wrapped`: columns narrowed (never below their longest word) and cells wrapped within their
 *   column at spaces, preferably after ", "; figures (right-aligned columns) are never wrapped; used
 *   when no row then takes more than `maxRowLines` lines;
 * - `compact`: one block per row, a heading made of the key columns, then "label: value" lines.
 *
 * Nothing is cut: a word longer than the whole width (which the renderers' cells never have at 40
 * columns or more) is continued on the next line rather than dropped.
 */

/** Width when COLUMNS is not set and stdout is not a terminal. */
export const DEFAULT_WIDTH = 100;
/** Narrower widths are treated as this; the layouts need room for a label and a value. */
export const MIN_WIDTH = 40;

/** What the width depends on: the CLI's io (src/cli/io.ts). */
export interface WidthSource {
  env: Readonly<Record<string, string | undefined>>;
  stdoutIsTTY: boolean;
  /** stdout's width when it is a terminal (process.stdout.columns). */
  columns?: number | undefined;
}

/**
 * The width of a terminal table: COLUMNS when set to a positive whole number, else the terminal's
 * width when the report goes to a terminal (stdout, no --output), else DEFAULT_WIDTH.
 */
export function terminalWidth(io: WidthSource, options: { output?: string | undefined } = {}): number {
  const asked = Number(io.env.COLUMNS?.trim() || Number.NaN);
  if (Number.isInteger(asked) && asked > 0) return Math.max(MIN_WIDTH, asked);
  const columns = io.columns;
  if (io.stdoutIsTTY && !options.output && typeof columns === 'number' && Number.isInteger(columns) && columns > 0) return Math.max(MIN_WIDTH, columns);
  return DEFAULT_WIDTH;
}

/** The width a renderer was given, or the default; never below MIN_WIDTH. */
export function widthOf(context: { width?: number | undefined }): number {
  const width = context.width;
  return width !== undefined && Number.isFinite(width) && width > 0 ? Math.max(MIN_WIDTH, Math.floor(width)) : DEFAULT_WIDTH;
}

// Colour and other CSI / OSC sequences, as chalk writes them.
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

const ZERO_WIDTH = /[\p{Mn}\p{Me}\u200b-\u200f\u2060\ufeff]/u;

function charWidth(char: string): number {
  if (ZERO_WIDTH.test(char)) return 0;
  const code = char.codePointAt(0) ?? 0;
  const wide =
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0xa4cf && code !== 0x303f) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    (code >= 0x1f300 && code <= 0x1faff) ||
    (code >= 0x20000 && code <= 0x3fffd);
  return wide ? 2 : 1;
}

/** Columns the text takes on a terminal. */
export function visibleLength(text: string): number {
  let width = 0;
  for (const char of stripAnsi(text)) width += charWidth(char);
  return width;
}

/** A word longer than the width, in pieces of at most the width (plain text). */
function splitWord(word: string, width: number): string[] {
  const pieces: string[] = [];
  let piece = '';
  let used = 0;
  for (const char of word) {
    const w = charWidth(char);
    if (used + w > width && piece !== '') {
      pieces.push(piece);
      piece = '';
      used = 0;
    }
    piece += char;
    used += w;
  }
  if (piece !== '' || pieces.length === 0) pieces.push(piece);
  return pieces;
}

/** The longest word of a plain text: the narrowest a wrapped column can be without splitting it. */
export function longestWord(text: string): number {
  return Math.max(0, ...text.split(' ').map(visibleLength));
}

/**
 * Plain text in lines of at most `width` columns. A line already well filled ends after ", ", "; "
 * or " · " when the next phrase then fits whole on the next line ("BRA 8, CAN 5," not "BRA 8, CAN");
 * otherwise lines break between words, and only a word wider than the line is split. Spaces inside a
 * line are kept; a paragraph's leading spaces stay on its first line.
 */
export function wrap(text: string, width: number): string[] {
  const limit = Math.max(1, width);
  if (visibleLength(text) <= limit) return [text];
  const lead = /^ */.exec(text)?.[0] ?? '';
  const phrases = text.slice(lead.length).split(/(?<=, |; | · )/);
  const lines: string[] = [];
  let line = lead;
  const push = (): void => {
    if (line.trim() !== '') lines.push(line.trimEnd());
    line = '';
  };
  for (const phrase of phrases) {
    const candidate = line + phrase;
    if (visibleLength(candidate.trimEnd()) <= limit) {
      line = candidate;
      continue;
    }
    if (line.trim() !== '' && visibleLength(line.trimEnd()) >= limit * 0.6 && visibleLength(phrase.trimEnd()) <= limit) {
      push();
      line = phrase;
      continue;
    }
    for (const word of phrase.split(/(?<= )/)) {
      const next = line + word;
      if (visibleLength(next.trimEnd()) <= limit) {
        line = next;
        continue;
      }
      if (line.trim() !== '') push();
      const bare = word.trimEnd();
      if (visibleLength(bare) <= limit) line = word;
      else {
        const pieces = splitWord(bare, limit);
        lines.push(...pieces.slice(0, -1));
        line = `${pieces.at(-1) ?? ''}${word.slice(bare.length)}`;
      }
    }
  }
  push();
  return lines.length > 0 ? lines : [''];
}

/**
 * A paragraph in lines of at most `width` columns, continuation lines indented by `hang` spaces
 * (the first line keeps its own leading spaces). `paint` colours each line after wrapping, so colour
 * codes never count towards the width.
 */
export function wrapParagraph(text: string, width: number, { hang = 0, paint }: { hang?: number; paint?: (line: string) => string } = {}): string[] {
  const first = wrap(text, width);
  const [head = '', ...rest] = first;
  const lines = [head];
  if (rest.length > 0) {
    const indent = ' '.repeat(Math.min(hang, Math.max(0, width - 10)));
    lines.push(...wrap(rest.join(' '), width - indent.length).map((line) => indent + line));
  }
  return paint ? lines.map(paint) : lines;
}

export interface FitColumn {
  title: string;
  /** Right-aligned columns (figures) are never wrapped. */
  align?: 'left' | 'right';
  /** Whether the column's cells may wrap onto further lines; default: left-aligned columns do. */
  wrap?: boolean;
}

export interface FitOptions {
  width: number;
  /** Spaces between columns (2). */
  gap?: number;
  /** Spaces before every line (0). */
  indent?: number;
  /** Print the header line(s) (true). */
  header?: boolean;
  /** A line of dashes under the header (true). */
  rule?: boolean;
  /** Leading columns that make a row's heading in the compact layout (1). */
  key?: number;
  /** In the compact layout, print the key columns' titles first (when they name the table). */
  keyTitles?: boolean;
  /** A blank line between the blocks of the compact layout (true). */
  blockGap?: boolean;
  /** Wrapped rows taller than this switch the table to the compact layout (3). */
  maxRowLines?: number;
  /** Colours a cell's text (one wrapped line of it at a time); column -1 is a compact block's label. */
  paint?: (row: number, column: number, text: string) => string;
  paintHeader?: (text: string) => string;
}

export type Layout = 'table' | 'wrapped' | 'compact';

export interface FittedTable {
  layout: Layout;
  lines: string[];
}

const identity = (text: string): string => text;

/** The table in the first layout that fits `width` (see the top of this file). */
export function fitTable(columns: readonly FitColumn[], rows: readonly (readonly string[])[], options: FitOptions): FittedTable {
  const width = Math.max(1, options.width);
  const gap = options.gap ?? 2;
  const indent = options.indent ?? 0;
  const header = options.header ?? true;
  const room = width - indent - gap * Math.max(0, columns.length - 1);
  const cellOf = (row: readonly string[], i: number): string => row[i] ?? '';
  const wraps = columns.map((column) => column.wrap ?? column.align !== 'right');
  const natural = columns.map((column, i) => Math.max(header ? visibleLength(column.title) : 0, ...rows.map((row) => visibleLength(cellOf(row, i)))));
  const sum = (values: number[]): number => values.reduce((total, value) => total + value, 0);
  if (sum(natural) <= room) return { layout: 'table', lines: grid(columns, rows, natural, options, wraps) };
  // Titles always wrap at spaces; cells only in wrapping columns.
  const minimum = columns.map((column, i) =>
    Math.max(header ? longestWord(column.title) : 0, ...rows.map((row) => (wraps[i] ? longestWord(cellOf(row, i)) : visibleLength(cellOf(row, i))))),
  );
  if (sum(minimum) <= room) {
    const widths = spread(minimum, natural, room - sum(minimum), (i, w) => {
      const lines = rows.map((row) => (wraps[i] ? wrap(cellOf(row, i), w).length : 1));
      return header ? [wrap(columns[i]?.title ?? '', w).length, ...lines] : lines;
    });
    const tallest = Math.max(0, ...rows.map((row) => Math.max(...columns.map((_, i) => (wraps[i] ? wrap(cellOf(row, i), widths[i] ?? 1).length : 1)))));
    if (tallest <= (options.maxRowLines ?? 3)) return { layout: 'wrapped', lines: grid(columns, rows, widths, options, wraps) };
  }
  return { layout: 'compact', lines: compact(columns, rows, options) };
}

/**
 * Column widths for the wrapped layout: from the minimum, the spare room goes step by step to the
 * column whose widening saves the most printed lines per column given (ties: most wrapped lines of
 * its own saved), until nothing more is saved or the room is used. `heights(i, w)` is the lines each
 * row (header first) takes in column i at width w.
 */
function spread(minimum: number[], natural: number[], room: number, heights: (column: number, width: number) => number[]): number[] {
  const widths = [...minimum];
  const cache = new Map<string, number[]>();
  const at = (i: number, w: number): number[] => {
    const key = `${i}:${w}`;
    let value = cache.get(key);
    if (!value) cache.set(key, (value = heights(i, w)));
    return value;
  };
  const total = (current: number[]): number => {
    const perColumn = current.map((w, i) => at(i, w));
    const rowCount = perColumn[0]?.length ?? 0;
    let lines = 0;
    for (let r = 0; r < rowCount; r++) lines += Math.max(1, ...perColumn.map((column) => column[r] ?? 1));
    return lines;
  };
  const own = (i: number, w: number): number => at(i, w).reduce((sum, lines) => sum + lines, 0);
  let extra = room;
  while (extra > 0) {
    const now = total(widths);
    let best: { column: number; step: number; score: number } | null = null;
    for (let i = 0; i < widths.length; i++) {
      const width = widths[i] ?? 0;
      const limit = Math.min(extra, (natural[i] ?? 0) - width);
      for (let step = 1; step <= limit; step++) {
        const saved = own(i, width) - own(i, width + step);
        if (saved <= 0) continue;
        const trial = [...widths];
        trial[i] = width + step;
        const score = ((now - total(trial)) * 1000 + saved) / step;
        if (!best || score > best.score) best = { column: i, step, score };
        break;
      }
    }
    if (!best) break;
    widths[best.column] = (widths[best.column] ?? 0) + best.step;
    extra -= best.step;
  }
  return widths;
}

/** The table and wrapped layouts: columns of the given widths, cells wrapped where they must. */
function grid(columns: readonly FitColumn[], rows: readonly (readonly string[])[], widths: number[], options: FitOptions, wraps: boolean[]): string[] {
  const gap = ' '.repeat(options.gap ?? 2);
  const indent = ' '.repeat(options.indent ?? 0);
  const paint = options.paint ?? ((_row: number, _column: number, text: string) => text);
  const paintHeader = options.paintHeader ?? identity;
  const block = (cells: readonly string[], painter: (column: number, text: string) => string, title = false): string[] => {
    const parts = columns.map((_, i) => (title || wraps[i] ? wrap(cells[i] ?? '', widths[i] ?? 1) : [cells[i] ?? '']));
    const height = Math.max(1, ...parts.map((part) => part.length));
    const lines: string[] = [];
    for (let line = 0; line < height; line++) {
      const text = columns
        .map((column, i) => {
          const part = parts[i]?.[line] ?? '';
          // Colour on the text only, so the padding (and a line's trailing spaces) stays plain.
          const pad = ' '.repeat(Math.max(0, (widths[i] ?? 0) - visibleLength(part)));
          if (part === '') return pad;
          return column.align === 'right' ? pad + painter(i, part) : painter(i, part) + pad;
        })
        .join(gap);
      lines.push((indent + text).trimEnd());
    }
    return lines;
  };
  const lines: string[] = [];
  if (options.header ?? true) {
    lines.push(
      ...block(
        columns.map((column) => column.title),
        (_, text) => paintHeader(text),
        true,
      ),
    );
    if (options.rule ?? true) lines.push(indent + widths.map((w) => '-'.repeat(w)).join(gap));
  }
  rows.forEach((row, r) => lines.push(...block(row, (column, text) => paint(r, column, text))));
  return lines;
}

/** One block per row: the key columns as a heading, then "label: value" for each non-empty cell. */
function compact(columns: readonly FitColumn[], rows: readonly (readonly string[])[], options: FitOptions): string[] {
  const width = Math.max(1, options.width);
  const indent = ' '.repeat(options.indent ?? 0);
  const key = Math.min(columns.length, Math.max(0, options.key ?? 1));
  const gap = ' '.repeat(options.gap ?? 2);
  const paint = options.paint ?? ((_row: number, _column: number, text: string) => text);
  const paintHeader = options.paintHeader ?? identity;
  const fields = columns.slice(key);
  const labelWidth = Math.min(Math.floor(width / 3), Math.max(0, ...fields.map((column) => visibleLength(column.title) + 1)));
  const lines: string[] = [];
  if (options.keyTitles && key > 0) {
    const titles = columns
      .slice(0, key)
      .map((column) => column.title)
      .filter((title) => title.trim() !== '')
      .join(gap);
    if (titles !== '') lines.push(...wrap(titles, width - indent.length).map((line) => indent + paintHeader(line)));
  }
  rows.forEach((row, r) => {
    if (r > 0 && (options.blockGap ?? true)) lines.push('');
    const heading = row.slice(0, key).join(gap);
    if (heading.trim() !== '') {
      const lead = /^ */.exec(heading)?.[0] ?? '';
      wrap(heading.slice(lead.length), width - indent.length - lead.length).forEach((line) => lines.push(indent + lead + paint(r, 0, line)));
    }
    const inner = `${indent}${/^ */.exec(heading)?.[0] ?? ''}  `;
    fields.forEach((column, f) => {
      const value = row[key + f] ?? '';
      if (value.trim() === '') return;
      const own = Math.max(labelWidth, visibleLength(column.title) + 1);
      const label = paint(r, -1, `${column.title}:`) + ' '.repeat(own - visibleLength(column.title) - 1);
      const room = width - inner.length - own - 1;
      if (room >= 12) {
        wrap(value.trim(), room).forEach((line, i) => lines.push(`${inner}${i === 0 ? label : ' '.repeat(own)} ${paint(r, key + f, line)}`));
      } else {
        lines.push(`${inner}${paint(r, -1, `${column.title}:`)}`);
        wrap(value.trim(), width - inner.length - 2).forEach((line) => lines.push(`${inner}  ${paint(r, key + f, line)}`));
      }
    });
  });
  return lines;
}
