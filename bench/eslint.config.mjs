import { config } from '@envoy-fleet/config/eslint';

export default config(import.meta.dirname);
