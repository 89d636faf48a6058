/**
 * Writing a file the user named without ever damaging what is there. The rules, in order:
 *
 * - `-` means stdout; callers handle it (see isStdoutName) before calling writeFileSafely.
 * - A symbolic link is followed to what it points at; the link itself stays a link.
 * - A directory is refused, and so is a read-only regular file: one with no write bit at all is
 *   refused for everyone, root included (root passes access() whatever the mode, so the mode bits
 *   are what tells "read-only" apart); for other users access(W_OK) decides as well.
 * - Anything else that is not a regular file (a character device such as a terminal, a FIFO, a
 *   socket) is opened for writing and written to; it is never replaced by a file.
 * - A regular file, or a name that does not exist yet, is written atomically: the text goes to a
 *   temporary file in the same folder, which takes the old file's mode (and, where allowed, owner)
 *   and is then renamed over it, so a reader never sees half a file and a failed run leaves the old
 *   one intact. On failure the temporary file is removed.
 *
 * Refusals are SafeWriteError; other failures are the system's errors (ENOENT, EACCES...), passed
 * on for the caller to word with writeFailure.
 */
import { constants } from 'node:fs';
import { access, lstat, open, readlink, realpath, rename, stat, unlink } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/** A target the writer refuses to touch (a read-only file, a directory, a loop of links). */
export class SafeWriteError extends Error {
  constructor(
    message: string,
    readonly code: 'EREADONLY' | 'EISDIR' | 'ELOOP',
  ) {
    super(message);
    this.name = 'SafeWriteError';
  }
}

/** `--output -` (and the like) means stdout. */
export function isStdoutName(name: string | undefined): boolean {
  return name === '-';
}

/** Links followed before giving up, as the kernel does (Linux: 40). */
const MAX_LINKS = 40;

/**
 * The path a write to `path` really lands on: symbolic links followed (a dangling link gives the
 * path it points at, which the write then creates).
 */
export async function writeTarget(path: string): Promise<string> {
  let current = resolve(path);
  for (let hops = 0; hops <= MAX_LINKS; hops += 1) {
    let info;
    try {
      info = await lstat(current);
    } catch (error) {
      if (isCode(error, 'ENOENT')) return current;
      throw error;
    }
    if (!info.isSymbolicLink()) return current;
    current = resolve(dirname(current), await readlink(current));
  }
  throw new SafeWriteError('too many levels of symbolic links', 'ELOOP');
}

/** Writes `text` to `path` by the rules above. */
export async function writeFileSafely(path: string, text: string | Uint8Array): Promise<void> {
  let info;
  try {
    info = await stat(path); // through any links, as the kernel follows them (/dev/stdout too)
  } catch (error) {
    if (!isCode(error, 'ENOENT')) throw error;
    // Nothing there yet, or a dangling link: create the file the link points at.
    await replaceAtomically(await writeTarget(path), text);
    return;
  }
  if (info.isDirectory()) throw new SafeWriteError('a directory', 'EISDIR');
  if (!info.isFile()) {
    await writeInPlace(path, text);
    return;
  }
  await assertWritable(path, info.mode);
  await replaceAtomically(await realpath(path), text, { mode: info.mode & 0o7777, uid: info.uid, gid: info.gid });
}

/** Refuses a regular file the user may not write, root included (see the rules above). */
async function assertWritable(path: string, mode: number): Promise<void> {
  const octal = (mode & 0o777).toString(8).padStart(4, '0');
  if ((mode & 0o222) === 0) throw new SafeWriteError(`a read-only file, mode ${octal}`, 'EREADONLY');
  try {
    await access(path, constants.W_OK);
  } catch {
    throw new SafeWriteError(`a file this user may not write, mode ${octal}`, 'EREADONLY');
  }
}

/** A device, FIFO or socket: opened for writing (never created, truncated or replaced) and written. */
async function writeInPlace(path: string, text: string | Uint8Array): Promise<void> {
  const handle = await open(path, constants.O_WRONLY);
  try {
    await handle.writeFile(text);
  } finally {
    await handle.close();
  }
}

interface Keep {
  mode: number;
  uid: number;
  gid: number;
}

let counter = 0;

async function replaceAtomically(path: string, text: string | Uint8Array, keep?: Keep): Promise<void> {
  counter += 1;
  const temporary = `${path}.${process.pid}.${counter}.tmp`;
  try {
    const handle = await open(temporary, 'wx', keep?.mode ?? 0o666);
    try {
      if (keep) {
        // The owner can only be kept by a privileged user (root replacing another user's file): best
        // effort. Then the old mode exactly (open() applied the umask; chown may clear set-id bits).
        if (typeof process.getuid === 'function' && process.getuid() === 0) await handle.chown(keep.uid, keep.gid).catch(() => undefined);
        await handle.chmod(keep.mode);
      }
      await handle.writeFile(text);
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}

const REASONS: Record<string, string> = {
  ENOENT: 'its folder does not exist',
  ENOTDIR: 'a part of its path is not a folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  ENXIO: 'a socket or a FIFO with no reader',
  EISDIR: 'a directory',
};

/** The reason for a failed write, for a message: the refusal's own words, else the system's (with its code). */
export function writeFailure(error: unknown): string {
  if (error instanceof SafeWriteError) return error.message;
  if (!(error instanceof Error) || !('code' in error)) return String(error);
  const code = String((error as NodeJS.ErrnoException).code);
  const reason = REASONS[code];
  return reason === undefined ? code : `${reason}, ${code}`;
}

function isCode(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}
