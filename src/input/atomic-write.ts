/**
 * The safe file writer now lives in src/io/safe-write.ts (shared by `--output` and the importers);
 * this module keeps the old names so existing importers of it keep working.
 */
export { SafeWriteError, writeFailure, writeFileSafely as writeFileAtomically, writeFileSafely } from '../io/safe-write.js';
