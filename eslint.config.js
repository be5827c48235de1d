import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Layer rules of src/ (docs/design.md, "Layers"): dependencies point down, and each folder may import
// only the layers it lists here. A folder missing from LAYERS is an error below, so a new folder of src/
// gets its rule in the same change. __tests__/repo/layers.test.ts shows a wrong import fails lint.
const LAYERS = {
  common: [],
  api: ['common'],
  client: ['common', 'api'],
  image: ['common', 'api'],
  inputs: ['common', 'api'],
  uploader: ['common', 'api', 'client', 'image', 'inputs'],
  // The campaign step runs on the uploader's retry engine and reconciliation (UploadSession).
  campaign: ['common', 'api', 'client', 'image', 'inputs', 'uploader'],
  report: ['common', 'api', 'client', 'image', 'inputs', 'uploader', 'campaign'],
  // The composition root: builds a run for any entry point.
  app: ['common', 'api', 'client', 'image', 'inputs', 'uploader', 'campaign', 'report'],
  // Entry adapters (with src/*.ts: index.ts, main.ts, campaign-index.ts, campaign-main.ts): what both
  // actions share with @actions/core, and the command line.
  action: ['common', 'api', 'client', 'image', 'inputs', 'uploader', 'campaign', 'report', 'app'],
  cli: ['common', 'api', 'client', 'image', 'inputs', 'uploader', 'campaign', 'report', 'app'],
};
/** The emulator shares the wire types, and these pure helpers rather than copies of them. */
const EMULATOR_MAY_REUSE = ['common/bytes.js', 'image/md5.js'];
/** @actions/glob locates the image; nothing else below the entry adapters touches @actions/*. */
const GLOB_USERS = ['src/image/locate.ts'];

const FOLDERS = [...Object.keys(LAYERS), 'emulator'];
const srcFolders = readdirSync(join(import.meta.dirname, 'src'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);
for (const folder of srcFolders) {
  if (!FOLDERS.includes(folder)) {
    throw new Error(`eslint.config.js: src/${folder}/ has no entry in LAYERS; say what it may import`);
  }
}
const escape = (text) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const notTestsOrScripts = {
  regex: String.raw`^(\.\./)+(__tests__|scripts)(/|$)`,
  message: 'src/ never imports tests or scripts.',
};
/** The one module that reaches into a package by path: @actions/github exports nothing narrower (README). */
const PACKAGE_PATH_IMPORTER = 'src/github-context.ts';
const noPackagePaths = {
  regex: String.raw`(^|/)node_modules/`,
  message: `Import a package by its name; only ${PACKAGE_PATH_IMPORTER} imports a package's file by path.`,
};
const noActions = {
  group: ['@actions/*'],
  message: 'Only the entry adapters (src/*.ts, src/cli/) touch @actions/*; pass what is needed as arguments.',
};

/** The layers with a barrel: another folder imports them through their index.ts only (api and common are leaves). */
const BARRELED = ['campaign', 'client', 'image', 'inputs', 'uploader', 'report', 'app', 'cli'];
const throughBarrels = (prefix) => ({
  regex: String.raw`^${prefix}(${BARRELED.join('|')})/(?!index\.js$)`,
  message: 'Import another layer through its barrel (src/<layer>/index.ts), not one of its modules.',
});

function restrict(patterns, { packagePaths = false } = {}) {
  const always = packagePaths ? [notTestsOrScripts] : [notTestsOrScripts, noPackagePaths];
  return { 'no-restricted-imports': ['error', { patterns: [...always, ...patterns] }] };
}

function layerRules(layer, { actions = false } = {}) {
  const allowed = LAYERS[layer];
  const forbidden = FOLDERS.filter((folder) => folder !== layer && !allowed.includes(folder));
  return restrict([
    {
      regex: String.raw`^\.\./(${forbidden.join('|')})(/|$)`,
      message: `src/${layer}/ may import only ${allowed.length ? allowed.map((l) => `src/${l}/`).join(', ') : 'itself'} (dependencies point down; docs/design.md).`,
    },
    throughBarrels(String.raw`\.\./`),
    ...(actions ? [] : [noActions]),
  ]);
}

const layerConfigs = Object.keys(LAYERS).map((layer) => ({
  files: [`src/${layer}/**/*.ts`],
  rules: layerRules(layer, { actions: layer === 'cli' || layer === 'action' }),
}));

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '.tmp/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'smart'],
      'no-console': 'off',
    },
  },
  ...layerConfigs,
  // @actions/glob where the image is located, and nowhere else below the entry adapters.
  {
    files: GLOB_USERS,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            notTestsOrScripts,
            noPackagePaths,
            {
              regex: String.raw`^\.\./(${FOLDERS.filter((f) => !LAYERS.image.includes(f) && f !== 'image').join('|')})(/|$)`,
              message: `src/image/ may import only ${LAYERS.image.map((l) => `src/${l}/`).join(', ')}.`,
            },
            throughBarrels(String.raw`\.\./`),
            { regex: String.raw`^@actions/(?!glob$)`, message: noActions.message },
          ],
        },
      ],
    },
  },
  {
    files: ['src/emulator/**/*.ts'],
    rules: restrict([
      {
        regex: String.raw`^\.\./(?!api/|(${EMULATOR_MAY_REUSE.map(escape).join('|')})$)`,
        message: `The emulator shares only src/api/ and ${EMULATOR_MAY_REUSE.map((p) => `src/${p.replace(/\.js$/, '.ts')}`).join(', ')} with the rest of the code.`,
      },
      noActions,
    ]),
  },
  {
    files: ['scripts/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: String.raw`^(\.\./)+__tests__(/|$)`,
              message:
                'scripts/ never import __tests__/ (tests import scripts/lib/, the support both share).',
            },
          ],
        },
      ],
    },
  },
  ...[false, true].map((packagePaths) => ({
    files: packagePaths ? [PACKAGE_PATH_IMPORTER] : ['src/*.ts'],
    rules: restrict(
      [
        { regex: String.raw`^\./emulator(/|$)`, message: 'The entry points do not run the emulator.' },
        throughBarrels(String.raw`\./`),
      ],
      { packagePaths },
    ),
  })),
);
