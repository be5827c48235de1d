// @actions/github's Context reads process.env itself: a test of the runner's context sets the variables
// there, with every GITHUB_* variable of the test process cleared first, and puts them back afterwards.
export function withRunnerEnv<T>(vars: Record<string, string>, fn: () => T): T {
  const saved = { ...process.env };
  for (const key of Object.keys(process.env)) if (key.startsWith('GITHUB_')) delete process.env[key];
  Object.assign(process.env, vars);
  try {
    return fn();
  } finally {
    for (const key of Object.keys(process.env)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}
