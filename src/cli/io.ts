/** What a command may touch of the outside world, injected so tests can run commands in-process. */
export interface TextSink {
  /** Text, or UTF-8 bytes (a large import's CSV, written on another thread). */
  write(text: string | Uint8Array): unknown;
}

export interface CliIo {
  stdout: TextSink;
  stderr: TextSink;
  env: Readonly<Record<string, string | undefined>>;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  columns?: number; // stdout's width when it is a terminal (report/fit.ts terminalWidth)
  cwd: string;
  /** Standard input, for `import SOURCE -`; absent in tests that give none. */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
}

export function processIo(): CliIo {
  return {
    stdout: closableSink(process.stdout),
    stderr: closableSink(process.stderr),
    env: process.env,
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    columns: process.stdout.columns,
    cwd: process.cwd(),
    // Made when first read (only `import SOURCE -` reads it): Node sets a stream up for it on access.
    get stdin() {
      return process.stdin;
    },
  };
}

/** Collects output in memory (tests, and renderers that must finish before anything is written). */
export class BufferSink implements TextSink {
  private readonly parts: string[] = [];
  write(text: string | Uint8Array): boolean {
    this.parts.push(typeof text === 'string' ? text : Buffer.from(text.buffer, text.byteOffset, text.byteLength).toString('utf8'));
    return true;
  }
  get text(): string {
    return this.parts.join('');
  }
}

/**
 * A process stream whose reader may go away: `supply-risk report --json | head -1` closes the pipe
 * after one line, and the next write fails with EPIPE. That is the reader's choice, not an error of
 * the run, so it ends quietly: no stack trace, later writes to the stream are dropped, and the run
 * finishes with its own exit code (0 for a report; see docs/output.md). Node ignores SIGPIPE, so
 * without this handler the EPIPE would surface as an unhandled 'error' event and a stack trace.
 * Other write errors (EIO, ENOSPC on a redirected stdout) are reported once on stderr and make the
 * exit code 2.
 */
let failed = false;

/** Whether a process stream failed with something other than a closed pipe (the run then exits 2). */
export function outputFailed(): boolean {
  return failed;
}

export function closableSink(stream: NodeJS.WriteStream): TextSink {
  let closed = false;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (closed) return;
    closed = true;
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') return;
    if (stream !== process.stderr && !process.stderr.destroyed) {
      process.stderr.write(`error: cannot write to ${stream === process.stdout ? 'stdout' : 'the output'} (${error.code ?? error.message})\n`);
    }
    failed = true;
    process.exitCode = 2; // when this comes after main() has returned its code
  });
  return {
    write(text: string | Uint8Array): boolean {
      if (closed || stream.destroyed) return false;
      return stream.write(text);
    },
  };
}
