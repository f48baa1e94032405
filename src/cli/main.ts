#!/usr/bin/env node
import { compareJson, compareMarkdown, compareText, coreStrategyRollouts, DEFAULT_REPLICAS, strategiesTitle } from './compare';
import { CliError } from './errors';
import { Found, FoundRollout, readPlans } from './read-plans';
import { renderJson } from './render-json';
import { renderMarkdown } from './render-markdown';
import { writeSvgCharts } from './render-svg';
import { renderText } from './render-text';
import { isStrategyValidationError } from '../core/private/errors';

export const USAGE = `Usage: cdk-deploy-strategies <command> [options]

See what each rollout declared with cdk-deploy-strategies will do to traffic, before it runs.

Commands:
  plan <path...>          each rollout's steps, a chart of the new version's share of traffic,
                          time to full traffic, peak capacity, worst-case rollback, blast radius
  compare <path...>       the rollouts found, side by side
  compare --strategies    the four core strategies side by side, at one service size

Paths: a CDK cloud assembly folder (cdk.out, from \`cdk synth\`), a cdk8s output folder
(dist, from \`cdk8s synth\`) or one of its .yaml files.

Options:
  --format text|json|markdown   output format (default: text)
  --svg <dir>                   also write one SVG chart per rollout into <dir>
                                (compare also writes comparison.svg)
  --replicas <n>                with --strategies: the service size (default: ${DEFAULT_REPLICAS})
  -h, --help                    show this help

Exit codes: 0 success, 1 usage or read error.`;

/** Output formats. */
export type Format = 'text' | 'json' | 'markdown';
const FORMATS: Format[] = ['text', 'json', 'markdown'];

/** The command line, parsed. */
export interface Options {
  readonly command: 'plan' | 'compare' | 'help';
  readonly paths: string[];
  readonly format: Format;
  readonly svg?: string;
  readonly strategies: boolean;
  readonly replicas?: number;
}

/** Where the command writes: the report to `out`, notes (files written) and errors to `err`. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
}

const PROCESS_IO: Io = {
  out: t => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
  err: t => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
};

/** Runs the command line `argv` (without `node` and the script) and returns the exit code. */
export function main(argv: string[], io: Io = PROCESS_IO): number {
  try {
    const options = parseArgs(argv);
    if (options.command === 'help') {
      io.out(USAGE);
      return 0;
    }
    return options.command === 'plan' ? plan(options, io) : compare(options, io);
  } catch (e) {
    // The library's validation errors (a --replicas no plan accepts) are messages for people too.
    if (e instanceof CliError || isStrategyValidationError(e)) {
      io.err(`error: ${(e as Error).message}`);
    } else {
      io.err(`error: ${(e as Error)?.stack ?? String(e)}`);
    }
    return 1;
  }
}

/** Parses the command line; throws a `CliError` naming the mistake. */
export function parseArgs(argv: string[]): Options {
  if (argv.length === 0) throw new CliError(`no command given\n\n${USAGE}`);
  if (argv.some(a => a === '-h' || a === '--help') || argv[0] === 'help') {
    return { command: 'help', paths: [], format: 'text', strategies: false };
  }
  const [command, ...rest] = argv;
  if (command !== 'plan' && command !== 'compare') {
    throw new CliError(`unknown command '${command}'; use plan or compare (see --help)`);
  }

  const paths: string[] = [];
  let format: Format = 'text';
  let svg: string | undefined;
  let strategies = false;
  let replicas: number | undefined;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? rest[++i];
      if (v === undefined || v === '' || (inline === undefined && v.startsWith('--'))) throw new CliError(`${flag} needs a value (see --help)`);
      return v;
    };
    switch (flag) {
      case '--format': {
        const v = value();
        if (!FORMATS.includes(v as Format)) throw new CliError(`--format is '${v}'; use text, json or markdown`);
        format = v as Format;
        break;
      }
      case '--svg':
        svg = value();
        break;
      case '--strategies':
        strategies = true;
        break;
      case '--replicas': {
        const v = value();
        if (!/^\d+$/.test(v)) throw new CliError(`--replicas is '${v}'; use a whole number of replicas, for example --replicas 10`);
        replicas = Number(v);
        break;
      }
      default:
        if (flag.startsWith('-') && flag !== '-') throw new CliError(`unknown option '${flag}' (see --help)`);
        paths.push(arg);
    }
  }

  if (command === 'plan' && (strategies || replicas !== undefined)) {
    throw new CliError('--strategies and --replicas belong to compare: cdk-deploy-strategies compare --strategies --replicas 10');
  }
  if (strategies && paths.length > 0) {
    throw new CliError('compare takes paths or --strategies, not both');
  }
  if (replicas !== undefined && !strategies) {
    throw new CliError('--replicas applies to --strategies only: recorded plans already carry their service size');
  }
  if (!strategies && paths.length === 0) {
    throw new CliError(command === 'plan'
      ? 'plan needs at least one path: a CDK cloud assembly folder (cdk.out), a cdk8s output folder (dist) or a .yaml file'
      : 'compare needs paths to read rollouts from, or --strategies');
  }
  return { command, paths, format, svg, strategies, replicas };
}

function plan(options: Options, io: Io): number {
  const found = readPlans(options.paths);
  io.out(render(found, options.format));
  writeCharts(options, found.rollouts, undefined, io);
  return 0;
}

function compare(options: Options, io: Io): number {
  const replicas = options.replicas ?? DEFAULT_REPLICAS;
  const rollouts = options.strategies ? coreStrategyRollouts(replicas) : readPlans(options.paths).rollouts;
  if (rollouts.length === 0) {
    throw new CliError(`no rollouts to compare in ${options.paths.join(', ')}: only A/B experiments were found; use plan to print them`);
  }
  const title = options.strategies ? strategiesTitle(replicas) : `Rollouts in ${options.paths.join(', ')}`;
  const renderers = { text: compareText, json: compareJson, markdown: compareMarkdown };
  io.out(renderers[options.format](rollouts, title));
  writeCharts(options, rollouts, title, io);
  return 0;
}

function render(found: Found, format: Format): string {
  switch (format) {
    case 'json': return renderJson(found);
    case 'markdown': return renderMarkdown(found);
    case 'text': return renderText(found);
  }
}

function writeCharts(options: Options, rollouts: FoundRollout[], comparisonTitle: string | undefined, io: Io): void {
  if (options.svg === undefined) return;
  for (const file of writeSvgCharts(options.svg, rollouts, comparisonTitle)) io.err(`wrote ${file}`);
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
