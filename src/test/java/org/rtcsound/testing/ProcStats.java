package org.rtcsound.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * What Linux's /proc says about a process, for benchmarks: CPU time (utime + stime, in
 * clock ticks), threads, resident memory and open file descriptors; and the same CPU time
 * summed over a set of processes (a browser's process tree), and the machine's.
 */
public final class ProcStats {

    /** USER_HZ: /proc counts CPU time in these ticks (100 on Debian's kernels, as on most). */
    public static final double TICKS_PER_SECOND = 100;

    private ProcStats() {
    }

    /** One reading of one process. */
    public record Reading(long nanoTime, long cpuTicks, int threads, long rssKb, int fds) {
        public double rssMb() {
            return rssKb / 1024.0;
        }
    }

    public static Reading read(long pid) {
        long now = System.nanoTime();
        return new Reading(now, cpuTicks(pid), statusField(pid, "Threads:"), statusField(pid, "VmRSS:"), fds(pid));
    }

    /** utime + stime of the process (its threads, not its children), in ticks; -1 once it is gone. */
    public static long cpuTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // the command (field 2) is in parentheses and may hold spaces: split after its last ')'
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
            // fields[0] is field 3 (state): utime is field 14, stime field 15
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static int statusField(long pid, String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(name)) {
                    return Integer.parseInt(line.substring(name.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone
        }
        return -1;
    }

    private static int fds(long pid) {
        try (Stream<Path> entries = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return (int) entries.count();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** CPU ticks of each of this JVM's descendant processes whose command matches, by pid. */
    public static Map<Long, Long> descendantTicks(Predicate<String> command) {
        Map<Long, Long> ticks = new HashMap<>();
        ProcessHandle.current().descendants()
                .filter(p -> p.info().command().map(command::test).orElse(false))
                .forEach(p -> {
                    long t = cpuTicks(p.pid());
                    if (t >= 0) {
                        ticks.put(p.pid(), t);
                    }
                });
        return ticks;
    }

    /**
     * CPU seconds a set of processes used between two readings of {@link #descendantTicks}:
     * a process that appeared in between counts from zero, one that ended is lost.
     */
    public static double cpuSecondsBetween(Map<Long, Long> before, Map<Long, Long> after) {
        long ticks = 0;
        for (Map.Entry<Long, Long> e : after.entrySet()) {
            ticks += e.getValue() - before.getOrDefault(e.getKey(), 0L);
        }
        return ticks / TICKS_PER_SECOND;
    }

    /** The machine's CPU ticks: [busy, total] summed over all cores (the first line of /proc/stat). */
    public static long[] machineTicks() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/stat"));
            String[] f = lines.get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length && i <= 8; i++) { // user nice system idle iowait irq softirq steal
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
            return new long[] {total - idle, total};
        } catch (IOException | RuntimeException e) {
            return new long[] {0, 0};
        }
    }
}
