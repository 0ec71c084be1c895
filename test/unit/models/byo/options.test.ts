/** The parsers behind `models add` flags and POST /v1/models fields. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLabels, parseResize, parseSize, parseTriple, readLabelsFile } from '@hourglass/core';

describe('registration option parsers', () => {
  it('parseTriple: comma list or JSON array; std must be positive', () => {
    expect(parseTriple('0.5,0.5,0.5', 'mean')).toEqual([0.5, 0.5, 0.5]);
    expect(parseTriple(' 0.485, 0.456 ,0.406 ', 'mean')).toEqual([0.485, 0.456, 0.406]);
    expect(parseTriple('[0.229, 0.224, 0.225]', 'std')).toEqual([0.229, 0.224, 0.225]);
    for (const bad of ['1,2', '1,2,3,4', 'a,b,c', '', '[1,2]'])
      expect(() => parseTriple(bad, 'mean'), bad).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    expect(() => parseTriple('0.2,0,0.2', 'std')).toThrow(/> 0/);
  });

  it('parseSize: N or WxH within 1..4096', () => {
    expect(parseSize('224')).toEqual({ width: 224, height: 224 });
    expect(parseSize('256x192')).toEqual({ width: 256, height: 192 });
    for (const bad of ['0', '5000', '224x', 'x224', 'big', '-3'])
      expect(() => parseSize(bad), bad).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
  });

  it('parseResize: fill, cover or contain', () => {
    expect(parseResize('contain')).toBe('contain');
    expect(() => parseResize('crop')).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
  });

  it('parseLabels: one per line (CRLF, BOM, blank lines) or a JSON array', () => {
    expect(parseLabels('\uFEFFcat\r\ndog\n\nbird\n')).toEqual(['cat', 'dog', 'bird']);
    expect(parseLabels('["tench, Tinca tinca", "goldfish"]')).toEqual(['tench, Tinca tinca', 'goldfish']);
    expect(() => parseLabels('')).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    expect(() => parseLabels('["a", 3]')).toThrow(/label 1/);
    expect(() => parseLabels('[oops')).toThrow(/does not parse/);
  });

  it('readLabelsFile names a missing file', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hg-labels-'));
    try {
      await writeFile(path.join(dir, 'labels.txt'), 'a\nb\n');
      expect(await readLabelsFile(path.join(dir, 'labels.txt'))).toEqual(['a', 'b']);
      await expect(readLabelsFile(path.join(dir, 'none.txt'))).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
        message: expect.stringContaining('none.txt'),
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
