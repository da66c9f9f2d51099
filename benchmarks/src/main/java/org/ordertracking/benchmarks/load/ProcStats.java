package org.ordertracking.benchmarks.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads a process's RSS and CPU time, and the machine's CPU counters, from Linux's /proc. */
final class ProcStats {
    private static final long TICK_MS = 10; // USER_HZ is 100 on Linux

    private ProcStats() {
    }

    static long rssBytes(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }

    static long cpuMillis(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // after the command: state(0) ppid(1) ... utime(11) stime(12)
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * TICK_MS;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** Returns {total, busy} jiffies of all CPUs. */
    static long[] machineJiffies() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length; i++) {
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
            return new long[] {total, total - idle};
        } catch (IOException | RuntimeException e) {
            return new long[] {0, 0};
        }
    }
}
