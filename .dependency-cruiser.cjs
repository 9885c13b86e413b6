// What may import what (run by `npm run lint`). Type-only imports count: a cycle through types is still a cycle.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycles anywhere in src/.',
      from: {},
      to: { circular: true }
    },
    {
      name: 'engine-is-pure',
      severity: 'error',
      comment:
        'The engine runs unchanged in Node, a job process and a browser page: TensorFlow.js, src/shared and itself only.',
      from: { path: '^src/engine/' },
      to: { pathNot: ['^src/engine/', '^src/shared/', '^node_modules/@tensorflow/'] }
    },
    {
      name: 'engine-no-node-builtins',
      severity: 'error',
      from: { path: '^src/engine/' },
      to: { dependencyTypes: ['core'] }
    },
    {
      name: 'shared-is-pure',
      severity: 'error',
      comment: 'The contract and base primitives: no Node, no app code; valibot only.',
      from: { path: '^src/shared/' },
      to: { pathNot: ['^src/shared/', '^node_modules/valibot/'] }
    },
    {
      name: 'services-never-import-jobs',
      severity: 'error',
      comment: 'Services own the use cases; jobs/ are process adapters that call them, never the reverse.',
      from: { path: '^src/main/services/' },
      to: { path: '^src/main/(jobs|handlers|cli|web|shell|ipc)/' }
    },
    {
      name: 'imaging-and-store-below-services',
      severity: 'error',
      from: { path: '^src/main/(imaging|store|exports|insights|util|backends)/' },
      to: { path: '^src/main/(services|jobs|handlers|cli|web|shell|ipc)/' }
    },
    {
      name: 'renderer-talks-only-through-the-contract',
      severity: 'error',
      from: { path: '^src/renderer/' },
      to: { path: '^src/(main|engine|preload)/' }
    }
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.node.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.d\\.ts$' }
  }
}
