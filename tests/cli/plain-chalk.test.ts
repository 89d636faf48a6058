/**
 * Without colour, chalkFor (src/cli/common.ts) does not load chalk: it gives a stand-in that must
 * write exactly what chalk at level 0 writes.
 */
import { Chalk, backgroundColorNames, foregroundColorNames, modifierNames } from 'chalk';
import { describe, expect, it } from 'vitest';
import { chalkFor } from '../../src/cli/common.js';
import { BufferSink, type CliIo } from '../../src/cli/io.js';

const io = (stdoutIsTTY: boolean, env: Record<string, string> = {}): CliIo => ({
  stdout: new BufferSink(),
  stderr: new BufferSink(),
  env,
  stdoutIsTTY,
  stderrIsTTY: false,
  cwd: '/',
});

describe('chalk without colour', () => {
  it('writes what chalk at level 0 writes, for every style, chained, with any arguments', async () => {
    const plain = (await chalkFor(io(false), { color: true }, false)) as unknown as Record<string, unknown>;
    const real = new Chalk({ level: 0 }) as unknown as Record<string, unknown>;
    const names = [...modifierNames, ...foregroundColorNames, ...backgroundColorNames, 'visible'];
    const argumentLists: unknown[][] = [['text'], [''], [12.5], ['a', 'b', 3], [], [null], [undefined], ['line\nbreak']];
    for (const first of names) {
      for (const second of [undefined, 'bold', 'red', 'visible']) {
        const style = (root: Record<string, unknown>): ((...texts: unknown[]) => string) => {
          const one = root[first] as Record<string, unknown>;
          return (second === undefined ? one : one[second]) as (...texts: unknown[]) => string;
        };
        for (const texts of argumentLists) expect(style(plain)(...texts), `${first}.${second} ${JSON.stringify(texts)}`).toBe(style(real)(...texts));
      }
    }
    const hex = (root: Record<string, unknown>): string =>
      ((root.hex as (c: string) => Record<string, (t: string) => string>)('#ff0000').bold as (t: string) => string)('x');
    expect(hex(plain)).toBe(hex(real));
    expect(plain.level).toBe(0);
  });

  it('loads chalk when colour is wanted', async () => {
    const coloured = await chalkFor(io(true), { color: true }, false);
    expect(coloured.level).toBe(1);
    expect(coloured.red('x')).not.toBe('x');
    expect((await chalkFor(io(true, { NO_COLOR: '1' }), { color: true }, false)).red('x')).toBe('x');
  });
});
