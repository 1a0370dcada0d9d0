import { readFileSync } from 'node:fs';

/** Linux reports process CPU in clock ticks; 100 per second on every kernel config we run on. */
const CLOCK_TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process has used so far, from /proc: works for any child, ours or not. */
export function cpuSeconds(pid: number): number {
  const { userSeconds, systemSeconds } = cpuSplit(pid);
  return userSeconds + systemSeconds;
}

/** CPU seconds in user space and in the kernel (system calls: socket writes and reads, mostly). */
export function cpuSplit(pid: number): { userSeconds: number; systemSeconds: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { userSeconds: Number(fields[11]) / CLOCK_TICKS_PER_SECOND, systemSeconds: Number(fields[12]) / CLOCK_TICKS_PER_SECOND };
}

/** Resident memory of a process, in MB. */
export function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

/** Read and write syscalls and bytes a process has made so far, from /proc: shows whether two bridges write alike. */
export function ioCounts(pid: number): { reads: number; writes: number; bytesRead: number; bytesWritten: number } {
  const io = readFileSync(`/proc/${pid}/io`, 'utf8');
  const field = (name: string) => Number(new RegExp(`${name}: (\\d+)`).exec(io)?.[1] ?? Number.NaN);
  return { reads: field('syscr'), writes: field('syscw'), bytesRead: field('rchar'), bytesWritten: field('wchar') };
}
