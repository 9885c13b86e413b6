import * as v from 'valibot'
import { settingsPatchSchema, type Settings, type SettingsPatch } from '../../shared/contract/settings'
import type { Studio } from './studio'

type Editable = Required<SettingsPatch>
const KEYS = ['latent', 'size', 'backend', 'threads', 'theme'] as const
const PREFIX = 'settings.'

export const SETTINGS_DEFAULTS: Editable = {
  latent: 32,
  size: 64,
  backend: 'auto',
  threads: 0,
  theme: 'system'
}

const DATA_DIR_HINT =
  'To keep your data somewhere else, quit the app and start it with the AESTUDIO_HOME environment variable ' +
  'set to another folder (for example AESTUDIO_HOME=/path/to/folder). The command line uses the same variable.'

/** Stored values are validated on the way out too: a hand-edited or stale value falls back to its default. */
function readOne<K extends keyof Editable>(studio: Studio, key: K): Editable[K] {
  const stored = studio.store.settings.get<unknown>(PREFIX + key, undefined)
  const schema = settingsPatchSchema.entries[key]
  const parsed = v.safeParse(schema, stored)
  return parsed.success && parsed.output !== undefined
    ? (parsed.output as Editable[K])
    : SETTINGS_DEFAULTS[key]
}

export function getSettings(studio: Studio): Settings {
  const editable = Object.fromEntries(KEYS.map((k) => [k, readOne(studio, k)])) as Editable
  return { ...editable, dataDir: studio.paths.home, dataDirHint: DATA_DIR_HINT }
}

/** Validates the whole patch first, then writes it in one transaction: either every field is saved or none. */
export function updateSettings(studio: Studio, patch: unknown): Settings {
  const parsed = v.parse(settingsPatchSchema, patch)
  studio.store.db.transaction(() => {
    for (const key of KEYS)
      if (parsed[key] !== undefined) studio.store.settings.set(PREFIX + key, parsed[key])
  })()
  return getSettings(studio)
}
