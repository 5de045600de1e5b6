/** Environment validation on its own (zod only), for code that must not load Nest, such as a launcher. */
export { EnvError, loadEnv } from './env/load-env';
export {
  booleanVariable,
  databaseUrlVariable,
  hostVariable,
  httpServerVariables,
  integerVariable,
  LOG_LEVELS,
  type LogLevel,
  logLevelVariable,
  natsNamespaceVariable,
  natsUrlVariable,
  portVariable,
  redisKeyPrefixVariable,
  redisUrlVariable,
  urlVariable,
} from './env/env-variables';
