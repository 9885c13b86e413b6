import { m0001 } from './0001-initial'
import { m0002 } from './0002-sweeps'
import { m0003 } from './0003-learning-rate'
import { m0004 } from './0004-faces'
import type { Migration } from './migration'

export type { Migration }

/** Append new migrations here; never edit one that has shipped. */
export const migrations: readonly Migration[] = [m0001, m0002, m0003, m0004]

export const latestVersion = (): number => migrations[migrations.length - 1]?.version ?? 0
