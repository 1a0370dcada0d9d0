import { readFileSync } from 'node:fs';

/** Linux reports process CPU in clock ticks; 100 per second on every kernel config we run on. */
const CLOCK_TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process has used so far, from /proc: works for any child, ours or not. */
export function cpuSeconds(pid: number): number {
  const { userSeconds, systemSeconds } = cpuSplit(pid);
  return userSeconds + systemSeconds;
}

/**
 * The CPU seconds of a process's main thread alone: a Node server's JavaScript runs there, so at 100 %
 * of a core it is saturated however idle the other core and the collector's threads are.
 */
export function mainThreadCpuSeconds(pid: number): number {
  const { userSeconds, systemSeconds } = cpuSplit(pid, `/proc/${pid}/task/${pid}/stat`);
  return userSeconds + systemSeconds;
}

/** CPU seconds in user space and in the kernel (system calls: socket writes and reads, mostly). */
export function cpuSplit(pid: number, statPath = `/proc/${pid}/stat`): { userSeconds: number; systemSeconds: number } {
  const stat = readFileSync(statPath, 'utf8');
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

/** The whole machine's CPU time so far, from /proc/stat, in clock ticks: all cores, busy and idle. */
export function machineCpu(): { busyTicks: number; totalTicks: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: idle and iowait are the only time nothing ran.
  const totalTicks = fields.slice(0, 8).reduce((sum, ticks) => sum + ticks, 0);
  return { busyTicks: totalTicks - fields[3]! - fields[4]!, totalTicks };
}

/** Share of all cores' time that something ran between two readings of machineCpu(); time the hypervisor took counts as busy. */
export function machineBusy(before: ReturnType<typeof machineCpu>, after: ReturnType<typeof machineCpu>): number {
  return (after.busyTicks - before.busyTicks) / (after.totalTicks - before.totalTicks);
}
