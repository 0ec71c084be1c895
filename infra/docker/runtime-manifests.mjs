#!/usr/bin/env node
/**
 * Rewrites package.json files and package-lock.json in the image build (never in the repo) so
 * that `npm ci` leaves out the packages only `models import-bundled` needs: nsfwjs (its bundled
 * models are the import's input) and the TF.js stack (@tensorflow/*, nsfwjs's peer and a root dev
 * dependency for the parity tests). Nothing at run time or in `tsc -b` imports them, and nsfwjs
 * declares `engines.node: 22.13.0` exactly, so installing it makes every `npm ci` warn.
 * The models image adds nsfwjs back from the registry, checked against the lockfile's integrity
 * (infra/docker/add-nsfwjs.mjs).
 *
 *   node infra/docker/runtime-manifests.mjs            (in /app, after COPYing the manifests)
 */
import { readFileSync, writeFileSync } from 'node:fs';

export const IMPORT_ONLY = ['nsfwjs', '@tensorflow/tfjs'];

const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));
const writeJson = (file, value) => writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
const SECTIONS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'];

function strip(manifest) {
  for (const section of SECTIONS) {
    for (const name of IMPORT_ONLY) if (manifest[section]) delete manifest[section][name];
  }
  return manifest;
}

const lock = readJson('package-lock.json');
for (const [where, entry] of Object.entries(lock.packages)) {
  if (where === '' || !where.includes('node_modules/')) {
    strip(entry);
    writeJson(where === '' ? 'package.json' : `${where}/package.json`, strip(readJson(where === '' ? 'package.json' : `${where}/package.json`)));
  }
}
// What is still reachable from the root and the workspaces, resolved as node does (the nearest
// node_modules/<name> up the tree); everything else (the import-only packages and what only they
// needed: the TF.js stack) leaves the lockfile, since npm ci installs every entry it lists.
const reachable = new Set();
const visit = (where) => {
  if (reachable.has(where) || !lock.packages[where]) return;
  reachable.add(where);
  const entry = lock.packages[where];
  if (entry.link && entry.resolved) return visit(entry.resolved);
  const own = where === '' || !where.includes('node_modules/');
  const names = { ...entry.dependencies, ...entry.optionalDependencies, ...entry.peerDependencies, ...(own ? entry.devDependencies : {}) };
  for (const name of Object.keys(names)) {
    for (let base = where; ; base = base.includes('/node_modules/') ? base.slice(0, base.lastIndexOf('/node_modules/')) : '') {
      const candidate = base === '' ? `node_modules/${name}` : `${base}/node_modules/${name}`;
      if (lock.packages[candidate]) {
        visit(candidate);
        break;
      }
      if (base === '') break;
    }
  }
};
// Roots: the root project, the workspaces and their node_modules links.
for (const [where, entry] of Object.entries(lock.packages)) if (where === '' || !where.includes('node_modules/') || entry.link) visit(where);
const dropped = Object.keys(lock.packages).filter((where) => !reachable.has(where));
for (const where of dropped) delete lock.packages[where];
writeJson('package-lock.json', lock);
console.log(`runtime manifests: without ${IMPORT_ONLY.join(', ')} (${dropped.length} lock entries dropped)`);
