/**
 * Writing a whole file so that a reader never sees half of it: the text goes to a temporary file in
 * the same folder, which is then renamed over the target (a rename within a file system is atomic).
 * On failure the temporary file is removed and the error is passed on for the caller to word.
 */
import { rename, unlink, writeFile } from 'node:fs/promises';

export async function writeFileAtomically(path: string, text: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, text, 'utf8');
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}

/** The system's short reason for a failed write (ENOENT, EACCES, EISDIR...). */
export function writeFailure(error: unknown): string {
  return error instanceof Error && 'code' in error ? String((error as NodeJS.ErrnoException).code) : String(error);
}
