import { defineConfig } from 'vitest/config'

// End-to-end: the built renderer in Debian's Chromium, driven over web mode (`aestudio serve`).
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 300_000,
    reporters: ['default']
  }
})
