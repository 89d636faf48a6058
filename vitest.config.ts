import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 30_000,
    // CLI tests spawn the compiled binary; they need `npm run build` first (prepare does it on npm ci).
    globalSetup: ['tests/global-setup.ts'],
  },
});
