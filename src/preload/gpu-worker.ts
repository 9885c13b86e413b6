import { ipcRenderer } from 'electron'
import { GPU_PORT_MESSAGE } from '../engine/gpu/protocol'

// The GPU worker window's whole preload: nothing is exposed. Electron hands a sandboxed page its MessagePort
// only here; it goes on to the page as a window message carrying the port.
ipcRenderer.on(GPU_PORT_MESSAGE, (e) => window.postMessage(GPU_PORT_MESSAGE, '*', e.ports))
