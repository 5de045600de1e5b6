/**
 * Writes src/gen/ (build output, never edited by hand):
 *  - TypeScript from ts-proto for the management API (top-level proto/) and for the Envoy xDS services we
 *    serve (ADS, LDS, RDS, CDS, EDS, SDS, CSDS), with everything they import;
 *  - envoy-descriptors.binpb, a FileDescriptorSet of every Envoy resource and extension the shipped
 *    protos define, which the resource codec in packages/xds builds its registry from.
 *
 * The Envoy protos come from the deps/ folder of @grpc/grpc-js-xds, pinned in envoy-api-version.json.
 * They are copied into gen/ (a buf workspace) because one file needs a patch; see patchValidateProto.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import process from 'node:process';

const packageDir = path.resolve(import.meta.dirname, '..');
const workspaceDir = path.join(packageDir, 'gen');
const outputDir = path.join(packageDir, 'src', 'gen');
const managementProtoDir = path.resolve(packageDir, '../../proto/envoyfleet');
const bufBin = path.join(packageDir, 'node_modules', '.bin', 'buf');
const pin = JSON.parse(fs.readFileSync(path.join(packageDir, 'envoy-api-version.json'), 'utf8'));

/** The proto roots under deps/, each a buf module (import paths are relative to them). */
const MODULES = ['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'];

/** protoc-gen-validate's own tests and Java stubs are not part of its API. */
const SKIPPED_COPY_DIRS = new Set(['protoc-gen-validate/java', 'protoc-gen-validate/tests']);

/**
 * Directories whose files go into the descriptor set. config, extensions and type hold every
 * resource and every message an `Any` may carry; service, admin and data let the codec also read
 * discovery messages, config dumps and event payloads. Files they import (googleapis, the
 * well-known types) come along as imports.
 */
const DESCRIPTOR_SET_DIRS = [
  'envoy-api/envoy/config',
  'envoy-api/envoy/extensions',
  'envoy-api/envoy/type',
  'envoy-api/envoy/annotations',
  'envoy-api/envoy/service',
  'envoy-api/envoy/admin',
  'envoy-api/envoy/data',
  'xds/xds',
  'xds/udpa',
  'protoc-gen-validate/validate',
];

/** The files ts-proto generates TypeScript for (plus, transitively, what they import). */
const TYPESCRIPT_FILES = [
  'envoy-api/envoy/service/discovery/v3/ads.proto',
  'envoy-api/envoy/service/listener/v3/lds.proto',
  'envoy-api/envoy/service/route/v3/rds.proto',
  'envoy-api/envoy/service/cluster/v3/cds.proto',
  'envoy-api/envoy/service/endpoint/v3/eds.proto',
  'envoy-api/envoy/service/secret/v3/sds.proto',
  'envoy-api/envoy/service/status/v3/csds.proto',
  // The gRPC rich error model (google.rpc.Status details) the management API answers errors with.
  'googleapis/google/rpc/error_details.proto',
];

const DESCRIPTOR_SET_FILE = 'envoy-descriptors.binpb';
/** The management API's own files with their imports: what its server reflection describes. */
const MANAGEMENT_DESCRIPTOR_SET_FILE = 'management-descriptors.binpb';

function log(message) {
  process.stdout.write(`[proto:generate] ${message}\n`);
}

function listProtoFiles(dir, base = dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return listProtoFiles(full, base);
    return entry.name.endsWith('.proto') ? [path.relative(base, full).split(path.sep).join('/')] : [];
  });
}

/** Fails when the installed package is not the one envoy-api-version.json records. */
function verifyPin(depsDir, installedVersion) {
  const digest = createHash('sha256');
  for (const file of listProtoFiles(depsDir).sort()) {
    const fileHash = createHash('sha256')
      .update(fs.readFileSync(path.join(depsDir, file)))
      .digest('hex');
    digest.update(`${file}\0${fileHash}\n`);
  }
  const protoTreeSha256 = digest.digest('hex');
  if (installedVersion !== pin.version || protoTreeSha256 !== pin.protoTreeSha256) {
    throw new Error(
      `@grpc/grpc-js-xds ${installedVersion} (proto tree sha256 ${protoTreeSha256}) is not the pinned ` +
        `${pin.version} (${pin.protoTreeSha256}). Review the Envoy API change, then update ` +
        'packages/proto/envoy-api-version.json to match.',
    );
  }
}

function copyDeps(depsDir) {
  fs.rmSync(workspaceDir, { recursive: true, force: true });
  for (const module of MODULES) {
    fs.cpSync(path.join(depsDir, module), path.join(workspaceDir, 'deps', module), {
      recursive: true,
      filter: (source) => {
        const relative = path.relative(depsDir, source).split(path.sep).join('/');
        if (SKIPPED_COPY_DIRS.has(relative)) return false;
        return fs.statSync(source).isDirectory() || source.endsWith('.proto');
      },
    });
  }
  fs.cpSync(managementProtoDir, path.join(workspaceDir, 'management', 'envoyfleet'), { recursive: true });
  fs.writeFileSync(
    path.join(workspaceDir, 'buf.yaml'),
    [
      'version: v2',
      'modules:',
      ...MODULES.map((m) => `  - path: deps/${m}`),
      '  - path: management',
      '',
    ].join('\n'),
  );
}

/**
 * The shipped validate.proto predates the Envoy API beside it: StringRules lacks
 * `optional bool ignore_empty = 26;` (upstream protoc-gen-validate has it), which 17 Envoy fields set.
 * protoc and buf reject the unknown option, so the field is added after `strict`, its neighbour upstream.
 */
function patchValidateProto() {
  const file = path.join(workspaceDir, 'deps', 'protoc-gen-validate', 'validate', 'validate.proto');
  const source = fs.readFileSync(file, 'utf8');
  if (/\bignore_empty\s*=\s*26\b/.test(source)) {
    log('validate.proto already defines StringRules.ignore_empty; no patch needed');
    return;
  }
  const anchor = 'optional bool strict = 25 [default = true];';
  if (source.split(anchor).length !== 2) {
    throw new Error(`validate.proto changed: expected exactly one "${anchor}" to add ignore_empty after`);
  }
  fs.writeFileSync(file, source.replace(anchor, `${anchor}\n  optional bool ignore_empty = 26;`));
}

/**
 * Splits the files under DESCRIPTOR_SET_DIRS into those that build and those that import (directly or
 * not) a file the package does not ship; buf would reject the whole set for one of the latter.
 */
function selectDescriptorSetFiles() {
  const located = new Map();
  for (const module of MODULES) {
    for (const file of listProtoFiles(path.join(workspaceDir, 'deps', module))) located.set(file, module);
  }
  const importsOf = (file) => {
    const source = fs.readFileSync(path.join(workspaceDir, 'deps', located.get(file), file), 'utf8');
    return [...source.matchAll(/^import\s+(?:public\s+|weak\s+)?"([^"]+)"\s*;/gm)].map((m) => m[1]);
  };
  const missingImport = new Map();
  const findMissing = (file, visiting) => {
    if (file.startsWith('google/protobuf/')) return undefined; // buf ships the well-known types
    if (!located.has(file)) return file;
    if (missingImport.has(file)) return missingImport.get(file);
    if (visiting.has(file)) return undefined;
    visiting.add(file);
    let missing;
    for (const imported of importsOf(file)) {
      missing = findMissing(imported, visiting);
      if (missing) break;
    }
    missingImport.set(file, missing);
    return missing;
  };
  const included = [];
  const excluded = [];
  for (const dir of DESCRIPTOR_SET_DIRS) {
    const [module, ...rest] = dir.split('/');
    const prefix = rest.join('/');
    for (const file of listProtoFiles(path.join(workspaceDir, 'deps', module, prefix))) {
      const importPath = `${prefix}/${file}`;
      const missing = findMissing(importPath, new Set());
      if (missing) excluded.push({ file: `${module}/${importPath}`, missing });
      else included.push(`${module}/${importPath}`);
    }
  }
  return { included, excluded };
}

function logExclusions(excluded) {
  const byMissingRoot = new Map();
  for (const entry of excluded) {
    const root = entry.missing
      .split('/')
      .slice(0, entry.missing.startsWith('envoy/') ? 3 : 2)
      .join('/');
    byMissingRoot.set(root, [...(byMissingRoot.get(root) ?? []), entry]);
  }
  for (const [root, entries] of byMissingRoot) {
    const example = entries[0];
    log(
      `descriptor set skips ${entries.length} file(s) that import ${root}/..., which is not shipped ` +
        `(e.g. ${example.file} needs ${example.missing})`,
    );
  }
  fs.writeFileSync(
    path.join(workspaceDir, 'excluded-files.txt'),
    excluded.map((e) => `${e.file}\t${e.missing}\n`).join(''),
  );
}

function runBuf(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(bufBin, args, { cwd: packageDir, stdio: ['ignore', 'inherit', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`buf ${args[0]} failed (exit ${code}):\n${stderr}`)),
    );
  });
}

const pathArgs = (files) => files.flatMap((file) => ['--path', file]);

async function main() {
  const started = performance.now();
  const require = createRequire(import.meta.url);
  const xdsPackageDir = path.dirname(require.resolve('@grpc/grpc-js-xds/package.json'));
  const depsDir = path.join(xdsPackageDir, 'deps');
  verifyPin(depsDir, require('@grpc/grpc-js-xds/package.json').version);
  copyDeps(depsDir);
  patchValidateProto();
  const { included, excluded } = selectDescriptorSetFiles();
  logExclusions(excluded);

  fs.rmSync(outputDir, { recursive: true, force: true });
  fs.mkdirSync(outputDir, { recursive: true });
  const managementFiles = listProtoFiles(path.join(workspaceDir, 'management')).map(
    (f) => `gen/management/${f}`,
  );
  await Promise.all([
    runBuf([
      'generate',
      'gen',
      '--template',
      'buf.gen.yaml',
      ...pathArgs([...TYPESCRIPT_FILES.map((f) => `gen/deps/${f}`), ...managementFiles]),
    ]),
    runBuf([
      'build',
      'gen',
      '--exclude-source-info',
      '-o',
      path.join('src', 'gen', DESCRIPTOR_SET_FILE),
      ...pathArgs(included.map((f) => `gen/deps/${f}`)),
    ]),
    runBuf([
      'build',
      'gen',
      '--exclude-source-info',
      '-o',
      path.join('src', 'gen', MANAGEMENT_DESCRIPTOR_SET_FILE),
      ...pathArgs(managementFiles),
    ]),
  ]);

  const generated = listTypeScriptFiles(outputDir);
  const descriptorBytes = fs.statSync(path.join(outputDir, DESCRIPTOR_SET_FILE)).size;
  log(
    `${generated} TypeScript files; descriptor set of ${included.length} selected files ` +
      `(${(descriptorBytes / 1024).toFixed(0)} KiB); ${excluded.length} skipped; ` +
      `${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
}

function listTypeScriptFiles(dir) {
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts')).length;
}

main().catch((error) => {
  process.stderr.write(`[proto:generate] ${error.message}\n`);
  process.exitCode = 1;
});
