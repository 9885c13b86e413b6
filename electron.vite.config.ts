import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import vue from '@vitejs/plugin-vue'

// Native and wasm-bearing packages stay external: they are loaded from node_modules at run time
// (and unpacked from asar when packaged), never bundled.
const external = [
  'better-sqlite3',
  'sharp',
  '@tensorflow/tfjs-node',
  '@tensorflow/tfjs-node-gpu',
  'webgpu',
  'ws'
]

export default defineConfig({
  main: {
    build: {
      externalizeDeps: true,
      rollupOptions: {
        external,
        input: {
          index: resolve(__dirname, 'src/main/index.ts'),
          // The job process (trainer, importer): started by utilityProcess in the app, by fork in Node;
          // both look for out/main/jobs.js beside the main bundle.
          jobs: resolve(__dirname, 'src/main/jobs/entry.ts'),
          // Data-parallel wasm training starts one worker thread on it per extra replica (backends/replicas.ts).
          'replica-worker': resolve(__dirname, 'src/main/backends/replica-worker.ts')
        }
      }
    }
  },
  preload: {
    build: {
      externalizeDeps: false,
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src/preload/index.ts'),
          // The hidden GPU worker window's: it only passes the training job's MessagePort on to the page.
          'gpu-worker': resolve(__dirname, 'src/preload/gpu-worker.ts')
        },
        // A sandboxed preload must be CommonJS.
        output: { format: 'cjs', entryFileNames: '[name].cjs' }
      }
    }
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    resolve: { alias: { '@renderer': resolve(__dirname, 'src/renderer/src') } },
    build: {
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src/renderer/index.html'),
          // The GPU worker page (the engine on Chromium's WebGPU), served as app://studio/gpu-worker.html.
          'gpu-worker': resolve(__dirname, 'src/renderer/gpu-worker.html')
        }
      }
    },
    plugins: [vue()]
  }
})
