import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // CLI tests spawn the compiled binary; `npm test` builds first (the pretest script).
    testTimeout: 30_000,
  },
});
