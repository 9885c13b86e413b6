import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import vue from 'eslint-plugin-vue'
import vueParser from 'vue-eslint-parser'

export default tseslint.config(
  {
    ignores: ['node_modules', 'out', 'dist', '.native', 'test-results', 'coverage', '.dependency-cruiser.cjs']
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...vue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parser: vueParser, parserOptions: { parser: tseslint.parser, sourceType: 'module' } },
    // vue-tsc checks names in <script lang="ts">; no-undef only misfires on DOM globals (typescript-eslint's advice).
    rules: { 'no-undef': 'off' }
  },
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly' }
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'vue/multi-word-component-names': 'off',
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
      'vue/html-indent': 'off',
      'vue/html-closing-bracket-newline': 'off',
      'vue/multiline-html-element-content-newline': 'off'
    }
  },
  {
    // The engine runs in a browser page too: no Node globals (imports are checked by .dependency-cruiser.cjs).
    files: ['src/engine/**/*.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        ...['process', 'Buffer', 'require', 'global', '__dirname', '__filename', 'setImmediate'].map(
          (name) => ({
            name,
            message: 'src/engine/ is Node-free: the host passes in what it needs.'
          })
        )
      ],
      // webgpu reads tensors back only asynchronously under Node (the sync path needs a canvas).
      'no-restricted-properties': [
        'error',
        ...['dataSync', 'arraySync'].map((property) => ({
          property,
          message: 'Read tensors with await data() / array(): sync reads fail on webgpu.'
        }))
      ]
    }
  },
  {
    // Electron may only be imported by the thin shell: main entry, IPC adapters and preload.
    files: ['src/main/**/*.ts'],
    ignores: ['src/main/index.ts', 'src/main/ipc/**', 'src/main/shell/**'],
    rules: { 'no-restricted-imports': ['error', { paths: ['electron'] }] }
  }
)
