/** What a command may touch of the outside world, injected so tests can run commands in-process. */
export interface TextSink {
  write(text: string): unknown;
}

export interface CliIo {
  stdout: TextSink;
  stderr: TextSink;
  env: Readonly<Record<string, string | undefined>>;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  cwd: string;
}

export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    cwd: process.cwd(),
  };
}

/** Collects output in memory (tests, and renderers that must finish before anything is written). */
export class BufferSink implements TextSink {
  private readonly parts: string[] = [];
  write(text: string): boolean {
    this.parts.push(text);
    return true;
  }
  get text(): string {
    return this.parts.join('');
  }
}
