import * as v from 'valibot'
import { BACKEND_CHOICES, trainConfigSchema, type BackendChoice } from '../config'
import { call, event } from './define'

export const THEMES = ['system', 'light', 'dark'] as const
export type Theme = (typeof THEMES)[number]

/** What a person can change. Latent and image size reuse the training config's own ranges. */
export const settingsPatchSchema = v.strictObject({
  latent: v.optional(v.unwrap(trainConfigSchema.entries.latent)),
  size: v.optional(v.unwrap(trainConfigSchema.entries.size)),
  backend: v.optional(v.picklist(BACKEND_CHOICES)),
  /** Threads for the wasm backend; 0 = every core (capped where more stop helping). */
  threads: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(64))),
  theme: v.optional(v.picklist(THEMES))
})
export type SettingsPatch = v.InferOutput<typeof settingsPatchSchema>

export interface Settings {
  /** Default latent size for new runs (each run may override it). */
  latent: number
  /** Default image size for imports and new runs. */
  size: number
  backend: BackendChoice
  /** Threads wasm trains on; 0 = every core (capped where more stop helping). */
  threads: number
  theme: Theme
  /** Where everything is stored; read-only here, it moves only with the AESTUDIO_HOME environment variable. */
  dataDir: string
  /** One sentence telling the person how to move the data directory. */
  dataDirHint: string
}

export const settingsCalls = {
  'settings.get': call<Settings>()(v.optional(v.undefined()), 'The saved settings, with defaults filled in.'),
  'settings.update': call<Settings>()(
    settingsPatchSchema,
    'Changes some settings; returns all of them. Invalid values are refused and nothing is saved.'
  )
}

export const settingsEvents = {
  'settings.changed': event<Settings>('The settings after any change, so every window applies them at once.')
}
