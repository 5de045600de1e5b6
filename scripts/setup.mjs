#!/usr/bin/env node
// Entry point of the README's two commands (`npm start`, `npm test`). It needs only Node.js and npm:
// it installs the pnpm version pinned in package.json when absent (corepack cannot fetch pnpm where the
// registry serves no signatures), installs the workspace from the lockfile, then runs the pnpm script.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const wanted = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager.split('@')[1];
const localPrefix = join(root, '.data', 'tools');
const scripts = { start: 'start:built', test: 'test:all' };
const script = scripts[process.argv[2]];
if (!script) {
  process.stderr.write(`usage: node scripts/setup.mjs ${Object.keys(scripts).join('|')}\n`);
  process.exit(2);
}

function versionOf(command) {
  try {
    return execFileSync(command, ['--version'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return null;
  }
}

function findPnpm() {
  const local = join(localPrefix, 'bin', 'pnpm');
  if (existsSync(local) && versionOf(local) === wanted) return local;
  if (versionOf('pnpm') === wanted) return 'pnpm';
  process.stdout.write(`Installing pnpm ${wanted} with npm...\n`);
  const global = spawnSync('npm', ['install', '-g', `pnpm@${wanted}`], { stdio: 'inherit' });
  if (global.status === 0 && versionOf('pnpm') === wanted) return 'pnpm';
  // No permission for a global install: keep pnpm inside the clone instead.
  const inRepo = spawnSync('npm', ['install', '--prefix', localPrefix, `pnpm@${wanted}`], {
    stdio: 'inherit',
  });
  if (inRepo.status !== 0 || versionOf(local) !== wanted) {
    process.stderr.write(
      `Could not install pnpm ${wanted} with npm; install it by hand: npm install -g pnpm@${wanted}\n`,
    );
    process.exit(1);
  }
  return local;
}

function run(command, args) {
  // Turbo starts each package's script with `pnpm`, so a pnpm kept inside the clone must be on PATH.
  const env = { ...process.env, PATH: `${join(localPrefix, 'bin')}:${process.env.PATH ?? ''}` };
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const pnpm = findPnpm();
run(pnpm, ['install', '--frozen-lockfile']);
run(pnpm, ['run', script]);
