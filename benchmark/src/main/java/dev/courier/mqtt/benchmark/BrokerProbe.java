package dev.courier.mqtt.benchmark;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What the broker process costs, read from outside (Linux): CPU time from {@code /proc/<pid>/stat},
 * resident memory from {@code /proc/<pid>/status}, and, for a JVM broker, the heap in use after a
 * full collection through {@code jcmd <pid> GC.run} and {@code GC.heap_info}. jcmd is only run when
 * {@code /proc/<pid>/maps} shows a {@code libjvm.so}: to attach, jcmd sends SIGQUIT, which ends a
 * process that is not a JVM. Called by the runner thread only, never on an event loop: the jcmd
 * calls take a second or more.
 */
final class BrokerProbe {

    /**
     * Clock ticks per second when {@code getconf CLK_TCK} cannot be run: the value on every Linux
     * we know.
     */
    static final long DEFAULT_CLOCK_TICKS = 100;
    private static final long JCMD_TIMEOUT_SECONDS = 120;
    /** "used 17618K" on a generation line (G1, Parallel, Serial, ZGC). */
    private static final Pattern USED_AFTER = Pattern.compile("\\bused (\\d+)([KMG])\\b");
    /** "20480K used" (Shenandoah). */
    private static final Pattern USED_BEFORE = Pattern.compile("\\b(\\d+)([KMG]) used\\b");

    private final long pid;
    private final long clockTicks;
    private final Path stat;
    private final Path status;
    private final String jcmd;
    /** Null when the process is a HotSpot JVM, else why jcmd is not run. */
    private String notJvm;

    private BrokerProbe(long pid, long clockTicks) {
        this.pid = pid;
        this.clockTicks = clockTicks;
        this.stat = Path.of("/proc", Long.toString(pid), "stat");
        this.status = Path.of("/proc", Long.toString(pid), "status");
        Path ownJcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        this.jcmd = Files.isExecutable(ownJcmd) ? ownJcmd.toString() : "jcmd";
    }

    /**
     * A probe of process {@code pid}.
     *
     * @throws IllegalArgumentException when its {@code /proc/<pid>/stat} cannot be read (no such
     *     process, or no {@code /proc})
     */
    static BrokerProbe of(long pid) {
        BrokerProbe probe = new BrokerProbe(pid, clockTicks());
        try {
            probe.cpuTicks();
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("--broker-pid " + pid + ": cannot read " + probe.stat
                + " ("
                + e.getMessage() + ")");
        }
        Path maps = Path.of("/proc", Long.toString(pid), "maps");
        try (Stream<String> lines = Files.lines(maps, StandardCharsets.ISO_8859_1)) {
            if (!lines.anyMatch(BrokerProbe::mapsJvmLibrary)) {
                probe.notJvm = "process " + pid + " is not a HotSpot JVM (no libjvm.so in " + maps
                    + ")";
            }
        } catch (IOException | UncheckedIOException e) {
            probe.notJvm = "cannot read " + maps + " to see whether process " + pid + " is a JVM";
        }
        return probe;
    }

    /** True for the line of {@code /proc/<pid>/maps} that maps HotSpot's library. */
    static boolean mapsJvmLibrary(String mapsLine) {
        return mapsLine.endsWith("/libjvm.so");
    }

    /** Whether the heap can be measured: the process is a HotSpot JVM. */
    boolean isJvm() {
        return notJvm == null;
    }

    long pid() {
        return pid;
    }

    /** A CPU reading now: wall clock and the broker's user + system time. */
    CpuSample cpu() throws IOException {
        long nanos = System.nanoTime();
        return new CpuSample(nanos, cpuTicks());
    }

    /** Seconds of CPU (all threads, user + system) between two readings. */
    double cpuSeconds(CpuSample before, CpuSample after) {
        return (after.ticks - before.ticks) / (double) clockTicks;
    }

    long cpuTicks() throws IOException {
        return parseCpuTicks(Files.readString(stat, StandardCharsets.US_ASCII));
    }

    /** Resident set size in KiB, or -1 when the process has none listed (a zombie) or has gone. */
    long rssKb() {
        try {
            return parseRssKb(Files.readString(status, StandardCharsets.US_ASCII));
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * Runs a full collection in the broker ({@code jcmd <pid> GC.run}), then returns the heap in
     * use from {@code jcmd <pid> GC.heap_info}, in bytes.
     *
     * @throws IOException when the process is not a JVM, jcmd cannot attach (another user, attach
     *     disabled) or prints no figure
     */
    long heapUsedAfterGc() throws IOException {
        if (notJvm != null) {
            throw new IOException(notJvm);
        }
        runJcmd("GC.run");
        String info = runJcmd("GC.heap_info");
        try {
            return parseHeapUsed(info);
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage());
        }
    }

    private String runJcmd(String command) throws IOException {
        List<String> cmd = List.of(jcmd, Long.toString(pid), command);
        String out = run(cmd, JCMD_TIMEOUT_SECONDS);
        if (out == null) {
            throw new IOException("jcmd " + pid + " " + command + " did not finish in "
                + JCMD_TIMEOUT_SECONDS
                + " s");
        }
        return out;
    }

    /**
     * Output of {@code cmd} (stdout and stderr), null on timeout.
     *
     * @throws IOException when it cannot be started or exits with a non-zero code (its last output
     *     line is in the message)
     */
    private static String run(List<String> cmd, long timeoutSeconds) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (InputStream in = p.getInputStream()) {
            in.transferTo(bytes);
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException(String.join(" ", cmd) + " interrupted");
        }
        String out = bytes.toString(StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " exited with " + p.exitValue() + ": "
                + whatWentWrong(out));
        }
        return out;
    }

    /** The line that says what went wrong: the first exception line, else the last line. */
    private static String whatWentWrong(String text) {
        String[] lines = text.strip().split("\n");
        for (String line : lines) {
            if (line.contains("Exception")) {
                return line.strip();
            }
        }
        return lines.length == 0 ? "" : lines[lines.length - 1].strip();
    }

    /** {@code getconf CLK_TCK}, or {@link #DEFAULT_CLOCK_TICKS} when it cannot be run. */
    static long clockTicks() {
        try {
            String out = run(List.of("getconf", "CLK_TCK"), 10);
            long ticks = out == null ? -1 : Long.parseLong(out.strip());
            return ticks > 0 ? ticks : DEFAULT_CLOCK_TICKS;
        } catch (IOException | NumberFormatException e) {
            return DEFAULT_CLOCK_TICKS;
        }
    }

    /**
     * utime + stime (fields 14 and 15 of proc(5)) of a {@code /proc/<pid>/stat} line. The command
     * name in field 2 is in parentheses and may itself contain spaces and parentheses, so fields
     * are counted after the last ')'.
     */
    static long parseCpuTicks(String statLine) {
        int close = statLine.lastIndexOf(')');
        if (close < 0) {
            throw new IllegalArgumentException("not a /proc/<pid>/stat line");
        }
        // fields from 3 (state) on
        String[] f = statLine.substring(close + 1).trim().split("\\s+");
        if (f.length < 13) {
            throw new IllegalArgumentException("/proc/<pid>/stat has " + (f.length + 2)
                + " fields");
        }
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** The VmRSS figure of {@code /proc/<pid>/status} in KiB, or -1 when there is none. */
    static long parseRssKb(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("VmRSS:")) {
                String v = line.substring("VmRSS:".length()).trim();
                int space = v.indexOf(' ');
                return Long.parseLong(space < 0 ? v : v.substring(0, space));
            }
        }
        return -1;
    }

    /**
     * Heap in use, in bytes, from {@code jcmd <pid> GC.heap_info}: the sum of the "used" figures of
     * the heap's top-level lines (one for G1, ZGC and Shenandoah; young + old for Parallel and
     * Serial). Lines indented by two or more (eden, survivor and object spaces, class space) and
     * Metaspace are not heap, or are counted already.
     *
     * @throws IllegalArgumentException when no line carries a figure
     */
    static long parseHeapUsed(String heapInfo) {
        long used = 0;
        boolean found = false;
        for (String line : heapInfo.split("\n")) {
            if (line.length() < 2 || line.charAt(0) != ' ' || line.charAt(1) == ' '
                || line.startsWith(" Metaspace")) {
                continue;
            }
            Matcher m = USED_AFTER.matcher(line);
            if (!m.find()) {
                m = USED_BEFORE.matcher(line);
                if (!m.find()) {
                    continue;
                }
            }
            used += Long.parseLong(m.group(1)) * unit(m.group(2));
            found = true;
        }
        if (!found) {
            throw new IllegalArgumentException("no heap 'used' figure in jcmd GC.heap_info output: "
                + firstLines(heapInfo));
        }
        return used;
    }

    private static long unit(String suffix) {
        switch (suffix) {
            case "K": return 1024L;
            case "M": return 1024L * 1024;
            default: return 1024L * 1024 * 1024;
        }
    }

    private static String firstLines(String text) {
        List<String> lines = new ArrayList<>();
        for (String line : text.strip().split("\n")) {
            if (lines.size() == 3) {
                break;
            }
            lines.add(line.strip());
        }
        return String.join(" / ", lines);
    }

    /** One CPU reading: {@code System.nanoTime()} and clock ticks of CPU used so far. */
    static final class CpuSample {
        final long nanos;
        final long ticks;

        CpuSample(long nanos, long ticks) {
            this.nanos = nanos;
            this.ticks = ticks;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%d ticks at %d ns", ticks, nanos);
        }
    }
}
