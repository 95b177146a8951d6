import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

// The layout's import rules (no-restricted-imports, `import type` and `export … from` included).
// test/lint/layout-rules.test.ts runs ESLint on violating code to prove each one fires.
/** Nothing that ships imports developer or package-time code. */
const outOfLib = {
  regex: String.raw`^\.\.?/(.*/)?(tools|deploy|functions)(/|$)`,
  message: 'lib/ ships in every Lambda: it must not import from tools/, deploy/ or functions/.',
};
/** The domain is pure: no SDK, no I/O, no outer layer; adapters are passed in through ports. */
const outOfDomain = [
  {
    group: ['@aws-sdk/*'],
    message: 'lib/domain is pure: no AWS SDK. Define a port in lib/domain/ports.ts and implement it in lib/adapters.',
  },
  {
    regex: String.raw`^(node:)?(fs|net|http|https|http2|child_process|dns|tls|dgram|cluster|worker_threads|readline)(/.*)?$`,
    message: 'lib/domain is pure: no I/O modules. Take the data as an argument, or define a port.',
  },
  {
    regex: String.raw`^\.\.?/(.*/)?(adapters|app|http)(/|$)`,
    message: 'lib/domain must not import lib/adapters, lib/app or lib/http: they depend on it, not it on them.',
  },
];

export default tseslint.config(
  { ignores: ['node_modules/', '.serverless/', '.esbuild/', '.esbuild-local/', '.local/', 'coverage/', 'jest.config.js'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
  },
  // A later block replaces an earlier block's options for the same rule: the domain lists both.
  { files: ['lib/**'], rules: { 'no-restricted-imports': ['error', { patterns: [outOfLib] }] } },
  { files: ['lib/domain/**'], rules: { 'no-restricted-imports': ['error', { patterns: [outOfLib, ...outOfDomain] }] } },
  { files: ['**/*.mjs', '**/*.cjs', '**/*.js'], ...tseslint.configs.disableTypeChecked },
);
