// Bundles the CLI into one file, dist/envoy-sim.cjs (or the path given as first argument), that runs with nothing but the node binary (the
// container image of the node-agent tests): workspace packages come from their TypeScript sources, and
// the Envoy descriptor set the codec reads from disk is embedded.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { argv } from 'node:process';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
// The workspace link; the package's exports map offers no path to its generated files.
const protoDir = join(packageDir, 'node_modules', '@envoy-fleet', 'proto');
const descriptorSet = readFileSync(join(protoDir, 'src', 'gen', 'envoy-descriptors.binpb'));

const embedDescriptorSet = {
  name: 'embed-envoy-descriptor-set',
  setup(bundle) {
    bundle.onLoad({ filter: /[\\/]proto[\\/]src[\\/]descriptor-set\.ts$/ }, () => ({
      loader: 'ts',
      contents: [
        `const bytes = Buffer.from(${JSON.stringify(descriptorSet.toString('base64'))}, 'base64');`,
        "export const ENVOY_DESCRIPTOR_SET_PATH = '(embedded in envoy-sim.cjs)';",
        'export function loadEnvoyDescriptorSet(): Uint8Array { return bytes; }',
      ].join('\n'),
    }));
  },
};

await build({
  entryPoints: [join(packageDir, 'src', 'main.ts')],
  outfile: argv[2] ?? join(packageDir, 'dist', 'envoy-sim.cjs'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  conditions: ['@envoy-fleet/source'],
  plugins: [embedDescriptorSet],
  legalComments: 'none',
  logLevel: 'warning',
});
