/**
 * The software Vulkan driver the WebGPU tests run on: Mesa lavapipe, installed by
 * scripts/ci/install-lavapipe.sh (CI's .ci/run calls it before `npm test`). A WebGPU test that finds
 * no driver FAILS, saying how to install one: skipping would let CI pass without ever opening a
 * WebGPU session, and a fallback to the CPU provider would pass the output checks too.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Where install-lavapipe.sh puts the driver file when given no folder. */
export const DEFAULT_LAVAPIPE_ICD = fileURLToPath(new URL('../../.cache/lavapipe/lvp_icd.json', import.meta.url));

export const INSTALL_HINT = 'run `scripts/ci/install-lavapipe.sh` once (software Vulkan under .cache/lavapipe; root for its apt step), then npm test again';

/**
 * The Vulkan driver file(s) for WebGPU tests: VK_DRIVER_FILES when set (every file named must
 * exist), else the default lavapipe install. Also sets VK_DRIVER_FILES in this process, so a
 * WebGPU session opened here (the loader reads it when Dawn creates its instance) uses it.
 */
export function requireVulkanDriver(): string {
  const named = process.env.VK_DRIVER_FILES;
  if (named) {
    const missing = named.split(':').filter((f) => f && !existsSync(f));
    if (missing.length > 0) throw new Error(`VK_DRIVER_FILES names missing file(s) ${missing.join(', ')}: ${INSTALL_HINT}`);
    return named;
  }
  if (!existsSync(DEFAULT_LAVAPIPE_ICD))
    throw new Error(`no Vulkan driver for the WebGPU tests (VK_DRIVER_FILES unset, ${DEFAULT_LAVAPIPE_ICD} missing): ${INSTALL_HINT}`);
  process.env.VK_DRIVER_FILES = DEFAULT_LAVAPIPE_ICD;
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
  return DEFAULT_LAVAPIPE_ICD;
}

/** Env for a child process that must use the software driver. */
export function vulkanEnv(): NodeJS.ProcessEnv {
  return { VK_DRIVER_FILES: requireVulkanDriver(), XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp' };
}
