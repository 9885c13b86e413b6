#!/usr/bin/env node
// The `aestudio` command. Runs the TypeScript sources through tsx, so it works right after `npm ci`.
import { register } from 'tsx/esm/api'

register()
const { run } = await import('../src/main/cli/aestudio.ts')
process.exitCode = await run(process.argv.slice(2))
