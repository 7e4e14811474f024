// The host processes a browser started, found by their binary's path: for tests that must change the world at
// an exact point of the host's work (a card pulled while the host is making keys), however fast the machine.
import {execFile} from 'node:child_process';
import {promisify} from 'node:util';

const run = promisify(execFile);

/** PIDs of the running processes whose command line starts with hostPath (browsers start it directly). */
async function hostPids(hostPath) {
  try {
    const {stdout} = await run('pgrep', ['-f', `^${hostPath}( |$)`]);
    return stdout.split('\n').filter(Boolean).map(Number);
  } catch (error) {
    if (error.code === 1) return [];  // pgrep: no process matched
    throw error;
  }
}

/**
 * Holds (SIGSTOP) every running host started from hostPath and returns the function that lets them go on
 * (SIGCONT). A held host notices nothing; once let go it finds what changed at its next step, as it would
 * had the change happened at that very moment.
 */
export async function holdHosts(hostPath) {
  const pids = await hostPids(hostPath);
  if (pids.length === 0) throw new Error(`no running ${hostPath} to hold`);
  for (const pid of pids) process.kill(pid, 'SIGSTOP');
  return () => {
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // It ended meanwhile (the browser closed the port): nothing to let go.
      }
    }
  };
}
