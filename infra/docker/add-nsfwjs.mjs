#!/usr/bin/env node
/**
 * Puts the nsfwjs package (the bundled pretrained models `models import-bundled` converts) into
 * node_modules without `npm install`: the tarball of the exact version the lockfile pins, from
 * the configured registry, checked against the lockfile's sha512 integrity, then unpacked. Only
 * its files are read (no code of it runs), so its peer dependencies are not needed.
 *
 *   node infra/docker/add-nsfwjs.mjs package-lock.json.orig [registry]
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';

const [lockFile = 'package-lock.json', registry = 'https://registry.npmjs.org/'] = process.argv.slice(2);
const entry = JSON.parse(readFileSync(lockFile, 'utf8')).packages['node_modules/nsfwjs'];
if (!entry?.version || !entry.integrity?.startsWith('sha512-')) throw new Error(`${lockFile}: no nsfwjs entry with a sha512 integrity`);
// The repo's lockfile omits `resolved` (omit-lockfile-registry-resolved): the registry's own path.
const url = new URL(`nsfwjs/-/nsfwjs-${entry.version}.tgz`, registry.endsWith('/') ? registry : `${registry}/`);
const response = await fetch(url);
if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
const tarball = Buffer.from(await response.arrayBuffer());
const integrity = `sha512-${createHash('sha512').update(tarball).digest('base64')}`;
if (integrity !== entry.integrity) throw new Error(`${url}: integrity ${integrity} is not the lockfile's ${entry.integrity}`);
mkdirSync('node_modules/nsfwjs', { recursive: true });
execFileSync('tar', ['-xzf', '-', '-C', 'node_modules/nsfwjs', '--strip-components=1', '--no-same-owner'], { input: tarball });
console.log(`nsfwjs@${entry.version}: ${(tarball.length / 1e6).toFixed(1)} MB from ${url.origin}, integrity checked`);
