/**
 * Real photos for the compose scenario, from a Debian package (darknet's sample images, as
 * bench/RESULTS.md suggests), fetched with the host's own apt and unpacked into a cache folder.
 * Returns the folders to search; empty when apt cannot fetch it (the corpus then says
 * "generated").
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';

export async function ensurePhotos(dir) {
  const data = path.join(dir, 'darknet', 'usr', 'share', 'darknet', 'data');
  if (!existsSync(data)) {
    mkdirSync(dir, { recursive: true });
    try {
      execFileSync('apt-get', ['download', 'darknet'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
      const deb = readdirSync(dir).find((f) => f.startsWith('darknet_') && f.endsWith('.deb'));
      if (deb) execFileSync('dpkg', ['-x', path.join(dir, deb), path.join(dir, 'darknet')]);
    } catch (error) {
      console.error(`photos: apt-get download darknet failed (${error.message}); the corpus will be generated`);
    }
  }
  return existsSync(data) ? [data] : [];
}
