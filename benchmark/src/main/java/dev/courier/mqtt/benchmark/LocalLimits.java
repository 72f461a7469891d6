package dev.courier.mqtt.benchmark;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The generator's own limits for many connections (Linux): its open-file limit ({@code ulimit -n},
 * from {@code /proc/self/limits}) and the ephemeral port range per local address
 * ({@code /proc/sys/net/ipv4/ip_local_port_range}). Checked once before the connection scenarios
 * run, so that a run that cannot reach --clients says why up front instead of showing failures
 * only.
 */
final class LocalLimits {

    /**
     * File descriptors the generator uses besides its connections (jar, selectors, pipes, stdio).
     */
    static final int RESERVED_DESCRIPTORS = 100;

    private LocalLimits() {
    }

    /**
     * Warnings for {@code connections} connections from {@code sourceAddresses} local addresses;
     * may be empty.
     */
    static List<String> warnings(int connections, int sourceAddresses) {
        List<String> out = new ArrayList<>();
        long files = read("/proc/self/limits", LocalLimits::parseOpenFilesSoftLimit);
        if (files > 0 && connections + RESERVED_DESCRIPTORS > files) {
            out.add("--clients " + connections + " needs about "
                + (connections + RESERVED_DESCRIPTORS) + " file descriptors, but this process may"
                + " open " + files + " (ulimit -n): expect 'Too many open files' beyond about "
                + (files - RESERVED_DESCRIPTORS) + " connections");
        }
        String range = "/proc/sys/net/ipv4/ip_local_port_range";
        long ports = read(range, LocalLimits::parsePortRangeSize);
        if (ports > 0 && (long) connections > ports * sourceAddresses) {
            out.add("--clients " + connections + " from " + sourceAddresses + " local address(es)"
                + " exceeds the " + ports + " ephemeral ports per address (" + range + "): use"
                + " --source-addresses " + ((connections + ports - 1) / ports));
        }
        return out;
    }

    private interface Parser {
        long parse(String text);
    }

    private static long read(String file, Parser parser) {
        try {
            return parser.parse(Files.readString(Path.of(file), StandardCharsets.US_ASCII));
        } catch (IOException | RuntimeException e) {
            return -1;      // not Linux, or an unexpected format: no warning
        }
    }

    /**
     * The soft limit of the "Max open files" line of {@code /proc/<pid>/limits}; -1 when unlimited
     * or absent.
     */
    static long parseOpenFilesSoftLimit(String limits) {
        for (String line : limits.split("\n")) {
            if (line.startsWith("Max open files")) {
                String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                return soft.equals("unlimited") ? -1 : Long.parseLong(soft);
            }
        }
        return -1;
    }

    /** Number of ports in an {@code ip_local_port_range} ("32768	60999" is 28232). */
    static long parsePortRangeSize(String range) {
        String[] f = range.trim().split("\\s+");
        return Long.parseLong(f[1]) - Long.parseLong(f[0]) + 1;
    }
}
