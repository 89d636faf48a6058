/**
 * The policy options of `gaps`, `check`, `diff` and `report`: --policy and the flags that override
 * single limits of it (defaults < file < flags). Kept light: main.ts imports it to declare commands.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { collectListOption, type CommonOptions } from './common.js';

export interface PolicyOptions extends CommonOptions {
  policy?: string;
  maxShare?: number;
  maxHhi?: number;
  maxRedirect?: number;
  minGovernance?: number;
  partnerGroups?: string[];
  /** True when --importer was given on the command line (it then beats the policy file). */
  importerExplicit?: boolean;
}

function numberIn(low: number, high: number, what: string) {
  return (value: string): number => {
    const number = Number(value.trim());
    if (value.trim() === '' || !Number.isFinite(number) || number < low || number > high) {
      throw new InvalidArgumentError(`expected ${what} from ${low} to ${high}.`);
    }
    return number;
  };
}

/** Any finite number (--min-governance: WGI estimates can lie outside -2.5..2.5). */
function finiteNumber(what: string) {
  return (value: string): number => {
    const number = Number(value.trim());
    if (value.trim() === '' || !Number.isFinite(number)) throw new InvalidArgumentError(`expected ${what}.`);
    return number;
  };
}

/** HHI points for --fail-on-increase. */
export const parsePoints = numberIn(0, 10000, 'HHI points');

/** --policy and the flags that override single limits of it. */
export function addPolicyOptions(command: Command, limits = true): Command {
  command.option('--policy <file>', 'policy file (JSON): limits, per-material overrides, accepted risks');
  if (!limits) return command;
  return command
    .option('--max-share <fraction>', 'largest share one foreign supplier may hold (default 0.65)', numberIn(0, 1, 'a fraction'))
    .option('--max-hhi <points>', 'largest supplier HHI (default 2500)', numberIn(0, 10000, 'an HHI'))
    .option('--max-redirect <fraction>', "share of a candidate's production that could be bought (default 0.25)", numberIn(0, 1, 'a fraction'))
    .option(
      '--min-governance <wgi>',
      'lowest WGI political stability of a proposed supplier (default -0.5)',
      finiteNumber('a WGI estimate (a number such as -0.5)'),
    )
    .option(
      '--partner-groups <list>',
      'only propose suppliers carrying one of these group tags, comma-separated; repeatable (default: any)',
      collectListOption,
    );
}

/** Whether an option was typed by the user rather than taken from its default. */
export function explicit(command: Command, name: string): boolean {
  const source = command.getOptionValueSource(name);
  return source !== undefined && source !== 'default';
}
