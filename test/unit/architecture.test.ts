/**
 * docs/architecture.md's layering rule, checked on the source itself: every import of every .ts
 * file under packages/core/src and apps/\*\/src is read with the TypeScript parser (type-only
 * imports included: they couple files as much as any other) and held against the rule.
 * - Packages: core imports no other package; the apps import each other only where PACKAGES
 *   allows, and only through a package's name or a subpath its package.json exports, never another
 *   path inside it; the services (API, worker) never import core's tooling subpaths.
 * - Core's folders: a file imports its own folder or a folder of a lower layer, never a higher
 *   one or a sibling of the same layer.
 * - Files: no import cycle, with the cycles still being taken apart listed by name.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Each package's source folder and the packages it may import. */
const PACKAGES: Record<string, { src: string; mayImport: string[] }> = {
  '@hourglass/core': { src: 'packages/core/src', mayImport: [] },
  '@hourglass/api': { src: 'apps/api/src', mayImport: ['@hourglass/core'] },
  '@hourglass/worker': { src: 'apps/worker/src', mayImport: ['@hourglass/core'] },
  // The client: REST commands over core's types. It runs the harness as a child process, never imports it.
  '@hourglass/cli': { src: 'apps/cli/src', mayImport: ['@hourglass/core'] },
  // The local-system harnesses (demo, bench, chaos ...) start an API and workers in-process, and
  // drive them with the client's HourglassClient.
  '@hourglass/harness': { src: 'apps/harness/src', mayImport: ['@hourglass/core', '@hourglass/api', '@hourglass/worker', '@hourglass/cli'] },
};

/**
 * Core's layers, lowest first. The files directly in packages/core/src (errors, limits, config,
 * logger, keys, queues, redis ...) are layer 0: they import one another and nothing in a folder.
 * The package's entries (index.ts and the files its package.json subpaths are built from) are its
 * surfaces and may export from every layer.
 */
const CORE_LAYERS: string[][] = [
  ['.'],
  ['imaging', 'storage', 'models'],
  ['inference'],
  ['results', 'workers'],
  // A batch's record reads its rows (results) and sizes its jobs from the fleet's heartbeats (workers).
  ['batches', 'training'],
  ['metrics'],
  ['bench'],
];

/**
 * Import cycles allowed in the tree: none. The check wants exactly this list, so a new cycle fails
 * it; one that must be lived with for a while is listed here by its files, sorted.
 */
const KNOWN_CYCLES: string[][] = [];

/**
 * Core's subpaths that only tests, harnesses and scripts may import: the running services (the
 * API and the worker) never load test fixtures, throwaway Redis servers or the model importers.
 */
const TOOLING_SUBPATHS = ['@hourglass/core/testing', '@hourglass/core/importers'];
const SERVICES = ['@hourglass/api', '@hourglass/worker'];

/** A package's package.json "exports": subpath ("." or "./x") to its built entry. */
function exportsOf(name: string): Record<string, string | { types: string; default: string }> {
  const manifest = path.join(path.dirname(PACKAGES[name]!.src), 'package.json');
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { exports?: Record<string, string | { types: string; default: string }> }).exports ?? {};
}

/** The subpaths ("./x") a package declares in its package.json exports, besides ".". */
function exportedSubpaths(name: string): string[] {
  return Object.keys(exportsOf(name)).filter((key) => key !== '.');
}

/** The source files a package's exports are built from (./dist/x.js is src/x.ts): its surfaces. */
function entryFiles(name: string): string[] {
  const src = PACKAGES[name]!.src;
  // An export is either a path ("./main": "./dist/main.js") or conditions ({ types, default }).
  return Object.values(exportsOf(name)).map((entry) =>
    path.join(src, (typeof entry === 'string' ? entry : entry.default).replace(/^\.\/dist\//, '').replace(/\.js$/, '.ts')),
  );
}

interface Import {
  from: string;
  specifier: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)))
    .sort();
}

/** Every module specifier a file names: import and export declarations, import(), import x = require(). */
function importsOf(file: string): Import[] {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: Import[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push({ from: file, specifier: node.moduleSpecifier.text });
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      found.push({ from: file, specifier: node.arguments[0].text });
    } else if (ts.isExternalModuleReference(node) && ts.isStringLiteral(node.expression)) {
      found.push({ from: file, specifier: node.expression.text });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The repository-relative .ts file a relative specifier names ('./x.js' is x.ts). */
function resolveRelative(imp: Import): string {
  const target = path.join(path.dirname(imp.from), imp.specifier);
  return target.replace(/\.js$/, '.ts');
}

const isRelative = (specifier: string): boolean => specifier.startsWith('.');

const allFiles = Object.values(PACKAGES).flatMap((p) => sourceFiles(p.src));
const allImports = allFiles.flatMap(importsOf);
const packageOf = (file: string): string => Object.entries(PACKAGES).find(([, p]) => file.startsWith(`${p.src}/`))![0];

describe('packages', () => {
  it('finds the source it checks', () => {
    for (const p of Object.values(PACKAGES)) expect(sourceFiles(p.src).length, p.src).toBeGreaterThan(5);
    expect(allImports.length).toBeGreaterThan(500);
  });

  it('import only the packages they may, through the package name alone', () => {
    const wrong: string[] = [];
    for (const imp of allImports) {
      const own = packageOf(imp.from);
      if (isRelative(imp.specifier)) {
        // A relative path that climbs out of its own package is a deep import in disguise.
        const target = resolveRelative(imp);
        if (!target.startsWith(`${PACKAGES[own]!.src}/`)) wrong.push(`${imp.from}: ${imp.specifier} leaves ${own}`);
        continue;
      }
      const named = Object.keys(PACKAGES).find((name) => imp.specifier === name || imp.specifier.startsWith(`${name}/`));
      if (!named) continue;
      // A subpath the package itself exports (package.json "exports") is its public surface too.
      if (imp.specifier !== named && !exportedSubpaths(named).includes(`.${imp.specifier.slice(named.length)}`)) {
        wrong.push(`${imp.from}: ${imp.specifier} is a deep import (use '${named}' or a subpath in its package.json exports)`);
      } else if (named !== own && !PACKAGES[own]!.mayImport.includes(named)) wrong.push(`${imp.from}: ${own} may not import ${named}`);
      else if (named === own) wrong.push(`${imp.from}: imports its own package by name`);
      else if (SERVICES.includes(own) && TOOLING_SUBPATHS.includes(imp.specifier))
        wrong.push(`${imp.from}: ${own} is a running service and may not import ${imp.specifier}`);
    }
    expect(wrong).toEqual([]);
  });

  it('build every declared export from a source file', () => {
    for (const name of Object.keys(PACKAGES)) {
      const missing = entryFiles(name).filter((file) => !allFiles.includes(file));
      expect(missing, name).toEqual([]);
    }
  });

  it("name core's main entry export by export (no export *), so its surface is what it lists", () => {
    const index = readFileSync(path.join(ROOT, PACKAGES['@hourglass/core']!.src, 'index.ts'), 'utf8');
    expect(index).not.toMatch(/^export \*/m);
  });
});

describe("core's layers", () => {
  const coreSrc = PACKAGES['@hourglass/core']!.src;
  /** The folder a core file belongs to: its first path segment under src, '.' for the files at the top. */
  const folderOf = (file: string): string => {
    const parts = path.relative(coreSrc, file).split(path.sep);
    return parts.length === 1 ? '.' : parts[0]!;
  };
  const layerOf = (folder: string): number => CORE_LAYERS.findIndex((layer) => layer.includes(folder));
  const coreFiles = sourceFiles(coreSrc);
  const surfaces = entryFiles('@hourglass/core');

  it('place every folder of core in exactly one layer', () => {
    const folders = [...new Set(coreFiles.map(folderOf))].sort();
    expect(
      folders.filter((f) => layerOf(f) < 0),
      'folders missing from CORE_LAYERS',
    ).toEqual([]);
    expect(CORE_LAYERS.flat().sort()).toEqual(folders);
  });

  it('import only their own folder or a lower layer', () => {
    const wrong: string[] = [];
    for (const imp of allImports) {
      if (!imp.from.startsWith(`${coreSrc}/`) || !isRelative(imp.specifier)) continue;
      // A surface (the main entry, testing.ts, a subpath's index) may export from every layer.
      if (surfaces.includes(imp.from)) continue;
      const from = folderOf(imp.from);
      const to = folderOf(resolveRelative(imp));
      if (from === to) continue;
      if (layerOf(to) >= layerOf(from)) wrong.push(`${imp.from} (${from}, layer ${layerOf(from)}) imports ${imp.specifier} (${to}, layer ${layerOf(to)})`);
    }
    expect(wrong).toEqual([]);
  });
});

describe('files', () => {
  /** Strongly connected components of more than one file (Tarjan), each sorted. */
  function importCycles(): string[][] {
    const edges = new Map<string, string[]>();
    for (const imp of allImports) {
      if (!isRelative(imp.specifier)) continue;
      edges.set(imp.from, [...(edges.get(imp.from) ?? []), resolveRelative(imp)]);
    }
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const cycles: string[][] = [];
    const connect = (v: string): void => {
      index.set(v, index.size);
      low.set(v, index.get(v)!);
      stack.push(v);
      onStack.add(v);
      for (const w of edges.get(v) ?? []) {
        if (!index.has(w)) {
          connect(w);
          low.set(v, Math.min(low.get(v)!, low.get(w)!));
        } else if (onStack.has(w)) {
          low.set(v, Math.min(low.get(v)!, index.get(w)!));
        }
      }
      if (low.get(v) !== index.get(v)) return;
      const component: string[] = [];
      for (;;) {
        const w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
        if (w === v) break;
      }
      if (component.length > 1) cycles.push(component.sort());
    };
    for (const file of allFiles) if (!index.has(file)) connect(file);
    return cycles.sort((a, b) => a[0]!.localeCompare(b[0]!));
  }

  it('resolve every relative import to a file that exists', () => {
    const known = new Set(allFiles);
    const missing = allImports.filter((imp) => isRelative(imp.specifier) && !known.has(resolveRelative(imp)));
    expect(missing.map((imp) => `${imp.from}: ${imp.specifier}`)).toEqual([]);
  });

  it('form no import cycle beyond the known ones, and every known one still exists', () => {
    expect(importCycles()).toEqual(KNOWN_CYCLES);
  });
});

describe("the API's contracts", () => {
  const apiSrc = PACKAGES['@hourglass/api']!.src;
  const relativeImports = (under: string): Array<{ from: string; to: string }> =>
    allImports
      .filter((imp) => imp.from.startsWith(`${apiSrc}/${under}/`) && isRelative(imp.specifier))
      .map((imp) => ({ from: imp.from, to: resolveRelative(imp) }));

  it('flow one way: openapi/ assembles the route contracts, and nothing in routes/ imports openapi/', () => {
    expect(relativeImports('routes').length).toBeGreaterThan(20);
    const wrong = relativeImports('routes').filter(({ to }) => to.startsWith(`${apiSrc}/openapi/`));
    expect(wrong.map(({ from, to }) => `${from} imports ${to}`)).toEqual([]);
  });

  it('share their pieces through routes/contract/, a leaf that imports only its own folder', () => {
    const wrong = relativeImports('routes/contract').filter(({ to }) => !to.startsWith(`${apiSrc}/routes/contract/`));
    expect(wrong.map(({ from, to }) => `${from} imports ${to}`)).toEqual([]);
  });
});
