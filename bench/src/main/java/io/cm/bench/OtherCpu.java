package io.cm.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * CPU used by other processes, from {@code /proc} (Linux; elsewhere nothing is reported). On a
 * shared machine this tells which measured phases had to share the cores with someone else.
 */
final class OtherCpu {

    /** Clock ticks per second of {@code /proc} counters (USER_HZ); 100 on every usual Linux build. */
    private static final double TICKS_PER_SECOND = 100;

    /** Busy ticks of the whole machine and of this process at one instant. */
    record Mark(long machineBusy, long own, long nanos) {
    }

    private OtherCpu() {
    }

    static Optional<Mark> mark() {
        return mark(List.of());
    }

    /**
     * Also counts as one's own the processes {@code measured} (a server under test in its own
     * process) and this process's reaped children (a load generator run to its end).
     */
    static Optional<Mark> mark(List<Long> measured) {
        try {
            // First line: "cpu user nice system idle iowait irq softirq steal guest guest_nice".
            String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = 0;
            for (int field : new int[] {1, 2, 3, 6, 7, 8}) busy += Long.parseLong(cpu[field]);
            // After the command name in parentheses: state is field 3, utime 14, stime 15, cutime 16, cstime 17.
            String self = Files.readString(Path.of("/proc/self/stat"));
            String[] fields = self.substring(self.lastIndexOf(')') + 2).split(" ");
            long own = Long.parseLong(fields[11]) + Long.parseLong(fields[12]) + Long.parseLong(fields[13])
                    + Long.parseLong(fields[14]) + Wrk.ticks(measured);
            return Optional.of(new Mark(busy, own, System.nanoTime()));
        } catch (IOException | RuntimeException notLinux) {
            return Optional.empty();
        }
    }

    /** Cores' worth of CPU that other processes used between the two marks, or NaN if unknown. */
    static double coresBetween(Optional<Mark> from, Optional<Mark> to) {
        if (from.isEmpty() || to.isEmpty()) return Double.NaN;
        long others = (to.get().machineBusy() - from.get().machineBusy()) - (to.get().own() - from.get().own());
        double seconds = (to.get().nanos() - from.get().nanos()) / 1e9;
        return Math.max(0, others / TICKS_PER_SECOND / seconds);
    }
}
