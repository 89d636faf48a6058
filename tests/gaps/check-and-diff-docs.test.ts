/**
 * The examples of docs/check-and-diff.md are true when run: every `$ supply-risk ...` line of a code
 * block is run, its output (stdout, then stderr) compared with the lines under it, and its exit code
 * with the `# exit N` line that ends it. The docs leave out the `Policy: ...` line; a `...` line
 * stands for lines left out (the lines around it must then appear in that order).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';

interface Example {
  argv: string[];
  expected: string[];
  exit: number;
}

function examples(markdown: string): Example[] {
  const found: Example[] = [];
  const blocks = markdown.split('```').filter((_block, i) => i % 2 === 1);
  for (const block of blocks) {
    let current: Example | undefined;
    for (const line of block.split('\n')) {
      if (line.startsWith('$ supply-risk ')) {
        current = { argv: line.slice('$ supply-risk '.length).trim().split(/\s+/), expected: [], exit: -1 };
        continue;
      }
      if (!current) continue;
      const exit = /^# exit (\d)/.exec(line);
      if (exit) {
        current.exit = Number(exit[1]);
        found.push(current);
        current = undefined;
      } else current.expected.push(line);
    }
  }
  return found;
}

const EXAMPLES = examples(readFileSync(join(ROOT, 'docs/check-and-diff.md'), 'utf8'));

describe('docs/check-and-diff.md', () => {
  it('has examples', () => {
    expect(EXAMPLES.length).toBeGreaterThanOrEqual(10);
  });

  for (const example of EXAMPLES) {
    it(`supply-risk ${example.argv.join(' ')}`, async () => {
      const { code, stdout, stderr } = await runCli(example.argv, { SUPPLY_RISK_TODAY: '2026-01-01' });
      expect(code).toBe(example.exit);
      const actual = `${stdout}${stderr}`.split('\n').filter((line) => !line.startsWith('Policy: '));
      while (actual.at(-1) === '') actual.pop();
      const expected = [...example.expected];
      while (expected.at(-1) === '') expected.pop();
      if (!expected.includes('...')) {
        expect(actual).toEqual(expected);
        return;
      }
      // Elided: the shown lines appear in order.
      let at = 0;
      for (const line of expected.filter((entry) => entry !== '...')) {
        const index = actual.indexOf(line, at);
        expect(index, `line not found in order: ${line}`).toBeGreaterThanOrEqual(0);
        at = index + 1;
      }
    });
  }
});
