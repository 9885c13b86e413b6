/// <reference types="vite/client" />
// Brings in the Window.api declaration from the preload.
import type {} from '../../preload/index.d'

declare module '*.vue' {
  import type { DefineComponent } from 'vue'
  const component: DefineComponent<object, object, unknown>
  export default component
}
