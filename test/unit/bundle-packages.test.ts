import { duplicatePackages } from '../support/bundle-packages';

describe('duplicatePackages (the one-copy-per-package check on each bundle)', () => {
  it.each<[string, string[], Record<string, string[]>]>([
    ['our own code only', ['../../functions/api.ts', '../../lib/app/api.ts'], {}],
    [
      'one copy of each package, many files',
      [
        '../../node_modules/@aws-lambda-powertools/commons/lib/esm/index.js',
        '../../node_modules/@aws-lambda-powertools/commons/lib/esm/Utility.js',
        '../../node_modules/zod/v4/core/core.js',
      ],
      {},
    ],
    [
      'a scoped package nested under another one',
      [
        '../../node_modules/@aws-lambda-powertools/commons/lib/esm/index.js',
        '../../node_modules/@aws-lambda-powertools/batch/node_modules/@aws-lambda-powertools/commons/lib/esm/index.js',
        '../../node_modules/@aws-lambda-powertools/batch/lib/esm/index.js',
      ],
      {
        '@aws-lambda-powertools/commons': [
          '../../node_modules/@aws-lambda-powertools/batch/node_modules/@aws-lambda-powertools/commons',
          '../../node_modules/@aws-lambda-powertools/commons',
        ],
      },
    ],
    [
      'an unscoped package twice',
      ['../../node_modules/tslib/tslib.es6.mjs', '../../node_modules/@smithy/core/node_modules/tslib/tslib.es6.mjs'],
      { tslib: ['../../node_modules/@smithy/core/node_modules/tslib', '../../node_modules/tslib'] },
    ],
  ])('%s', (_case, sources, expected) => {
    expect(duplicatePackages(sources)).toEqual(expected);
  });
});
