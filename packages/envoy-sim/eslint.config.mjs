import { config } from '@envoy-fleet/config/eslint';
import tseslint from 'typescript-eslint';

export default [
  ...config(import.meta.dirname),
  // The bundle script is a plain Node script outside the TypeScript project: lint it without type information.
  { files: ['scripts/**/*.mjs'], ...tseslint.configs.disableTypeChecked },
];
