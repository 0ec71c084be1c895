/** `--model NAME` (or `--model=NAME`) from argv; MODEL in the environment is the fallback. */
export function modelFromArgs(argv: readonly string[], env: NodeJS.ProcessEnv): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--model' || arg === '-m') return argv[i + 1];
    if (arg.startsWith('--model=')) return arg.slice('--model='.length);
  }
  return env.MODEL;
}
