// The proxy leg of .github/workflows/self-test.yml, run here as on a runner: inside a private network
// and mount namespace (its own loopback, iptables and /etc/hosts, so nothing of this machine changes),
// scripts/self-test/proxy.sh sets up the test CA, tinyproxy and the iptables rule that closes the
// emulator's port to everyone but the proxy; then the job's upload, re-run, dry run and conflict run
// through the proxy, checked by the same assertion scripts. It needs root, unshare, iptables, openssl
// and tinyproxy (.ci/run installs the last two): without them it is skipped, saying why.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../scripts/lib/run-action.js';
import type { StepRun } from './workflow-runner.js';
import { ensureFreshDist } from '../../scripts/lib/fresh-dist.js';

// This file runs dist/: bundle first when dist/ is not built from src/ as it is (and say so).
beforeAll(() => ensureFreshDist(), 300_000);

const RUN_JOB = join(PROJECT_ROOT, '__tests__', 'repo', 'proxy-leg', 'run-job.ts');

function missing(): string | undefined {
  if (process.getuid?.() !== 0) return 'not root';
  for (const tool of ['iptables', 'tinyproxy', 'openssl', 'unshare']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} is not installed`;
  }
  if (spawnSync('unshare', ['-mn', 'true']).status !== 0) return 'unshare -mn is not permitted here';
  return undefined;
}

const why = missing();
if (why) console.warn(`self-test proxy leg skipped: ${why}`);

(why ? describe.skip : describe)('self-test.yml, proxy leg (private network namespace)', () => {
  it('reaches the emulator only through tinyproxy, and every step passes', () => {
    const temp = mkdtempSync(join(tmpdir(), 'proxy-leg-'));
    chmodSync(temp, 0o755); // tinyproxy, running as its own user, writes its log below
    try {
      // On a runner the steps sudo; here we are root already. apt-get has no network in the namespace.
      writeFileSync(join(temp, 'hosts'), `127.0.0.1 localhost\n`);
      writeFileSync(
        join(temp, 'sudo'),
        '#!/bin/sh\ncase $1 in apt-get|systemctl) exit 0 ;; esac\nexec "$@"\n',
        { mode: 0o755 },
      );
      const inNamespace = [
        'set -e',
        'ip link set lo up',
        `mount --bind ${temp}/hosts /etc/hosts`,
        `export PATH=${temp}:$PATH`,
        `status=0; ${join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx')} ${RUN_JOB} ${temp} || status=$?`,
        // tinyproxy daemonized inside the namespace: end it, by its pid, found by our config's path.
        `for pid in $(pgrep -x tinyproxy || true); do if tr '\\0' ' ' </proc/$pid/cmdline | grep -q ${temp}/; then kill $pid; fi; done`,
        'exit $status',
      ].join('\n');
      const run = spawnSync('unshare', ['-mn', 'bash', '-c', inNamespace], {
        cwd: PROJECT_ROOT,
        encoding: 'utf8',
        timeout: 240_000,
      });
      const last = run.stdout.trim().split('\n').at(-1) ?? '';
      if (!last.startsWith('{'))
        throw new Error(`the proxy leg did not finish:\n${run.stdout}\n${run.stderr}`);
      const { failed, steps } = JSON.parse(last) as { failed: boolean; steps: StepRun[] };
      const byName = (name: string) => steps.find((s) => s.name === name)!;
      expect(failed ? steps.map((s) => `${s.outcome}: ${s.name}\n${s.log}`) : []).toEqual([]);
      expect(byName('Only the proxy reaches the emulator').log).toMatch(
        /✔ a direct request to https:\/\/izuma-emulator\.test:\d+\/\S+ is refused\n✔ the same request through http:\/\/127\.0\.0\.1:8888 is answered/,
      );
      expect(steps.find((s) => s.id === 'upload')?.outputs.outcome).toBe('uploaded');
      expect(steps.find((s) => s.id === 'rerun')?.outputs.outcome).toBe('reused');
      expect(steps.find((s) => s.id === 'conflict')?.outcome).toBe('failure');
      expect(byName('Every connection went through the proxy').log).toMatch(
        /✔ tinyproxy tunnelled \d+ connections/,
      );
      expect(steps.filter((s) => s.outcome === 'skipped').map((s) => s.name)).toEqual(["The emulator's log"]);
    } finally {
      rmSync(temp, { recursive: true, force: true });
    }
  }, 300_000);
});
