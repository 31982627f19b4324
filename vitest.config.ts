// Tests run against the compiled build in dist/ (made once by test/global-setup.ts): tsc inlines
// the ISA's const enums, so the models run at their real speed (esbuild's per-file transform
// would leave every opcode a property lookup, 10-20x slower). Test files stay TypeScript; their
// imports of project modules resolve to the compiled files in dist/.

import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));
const PROJECT = /^(?:\.\.\/)+(cpu|isa|waveforms|peripherals|firmware|debug|verify|bin|bench|ui)\/(.+)\.js$/;

function useDist(): Plugin {
  return {
    name: 'evminf-use-dist',
    enforce: 'pre',
    resolveId(source, importer) {
      if (!importer || !importer.startsWith(`${root}test/`)) return null;
      const m = PROJECT.exec(source);
      return m ? `${root}dist/${m[1]}/${m[2]}.js` : null;
    },
  };
}

export default defineConfig({
  plugins: [useDist()],
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
