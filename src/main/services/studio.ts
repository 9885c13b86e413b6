import { mkdirSync } from 'node:fs'
import { Store } from '../store/index'
import { layout, resolveHome, type Layout } from './home'

/** Everything a service needs: where the data lives and the open store. Created once per process. */
export interface Studio {
  readonly paths: Layout
  readonly store: Store
  readonly electronVersion: string | null
  close(): void
}

export interface StudioOptions {
  home?: string
  nativeBinding?: string
  electronVersion?: string | null
}

export function openStudio(options: StudioOptions = {}): Studio {
  const paths = layout(options.home ?? resolveHome())
  mkdirSync(paths.home, { recursive: true })
  const store = Store.open(paths.database, { nativeBinding: options.nativeBinding })
  return {
    paths,
    store,
    electronVersion: options.electronVersion ?? null,
    close: () => store.close()
  }
}
