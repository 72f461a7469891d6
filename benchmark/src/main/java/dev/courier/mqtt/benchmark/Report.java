package dev.courier.mqtt.benchmark;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Renders results as a text table, CSV or JSON. */
final class Report {

    private static final String[] COLUMNS = {
        "scenario", "qos", "mqtt", "sent", "acked", "received", "lost", "dup",
        "pub msg/s", "recv msg/s", "p50 ms", "p99 ms", "max ms"};
    /** Extra column when both versions ran: {@link #receiveRatio}. */
    static final String RATIO_COLUMN = "5.0/3.1.1";
    /** Extra columns with --broker-pid. */
    static final List<String> BROKER_COLUMNS = List.of("broker cpu %", "broker us/msg",
        "broker RSS MB");
    /** The table of the connection scenarios. */
    static final List<String> CONNECTION_COLUMNS =
        List.of("scenario", "mqtt", "clients", "connected", "failed", "conn/s", "ready s",
            "p50 ms", "p99 ms", "max ms");
    /** Its columns when a reconnect-storm ran. */
    static final List<String> STORM_COLUMNS =
        List.of("sessions lost", "queued", "received", "lost", "dup", "deliver s");
    /** Its columns with --broker-pid. */
    static final List<String> CONNECTION_BROKER_COLUMNS =
        List.of("heap B/conn", "RSS B/conn", "broker cpu %", "broker us/conn", "broker RSS MB");

    private Report() {
    }

    static String ms(long nanos) {
        return String.format(Locale.ROOT, "%.3f", nanos / 1e6);
    }

    static String rate(double r) {
        return String.format(Locale.ROOT, "%.0f", r);
    }

    /**
     * For a 5.0 row: its recv msg/s divided by that of the 3.1.1 row of the same scenario and QoS; NaN for a 3.1.1
     * row, or when either row failed or the 3.1.1 row received nothing.
     */
    static double receiveRatio(List<CaseResult> results, CaseResult r) {
        if (r.mqtt != ProtocolVersion.V5 || r.failed() || !r.scenario.throughput()) {
            return Double.NaN;
        }
        for (CaseResult b : results) {
            if (b.mqtt == ProtocolVersion.V3_1_1 && b.scenario == r.scenario && b.qos == r.qos) {
                double base = b.receiveRate();
                return b.failed() || base <= 0 ? Double.NaN : r.receiveRate() / base;
            }
        }
        return Double.NaN;
    }

    static boolean bothVersions(List<CaseResult> results) {
        boolean v3 = false;
        boolean v5 = false;
        for (CaseResult r : results) {
            v3 |= r.mqtt == ProtocolVersion.V3_1_1 && r.scenario.throughput();
            v5 |= r.mqtt == ProtocolVersion.V5 && r.scenario.throughput();
        }
        return v3 && v5;
    }

    static String ratio(double ratio) {
        return Double.isNaN(ratio) ? "-" : String.format(Locale.ROOT, "%.2f", ratio);
    }

    static String[] row(CaseResult r) {
        boolean none = r.failed() && r.sent == 0;
        return new String[] {
            r.scenario.label(),
            Integer.toString(r.qos),
            r.mqtt.label(),
            Long.toString(r.sent),
            r.qos == 0 ? "-" : Long.toString(r.acked),
            Long.toString(r.received),
            Long.toString(r.lost()),
            Long.toString(r.duplicates()),
            none ? "-" : rate(r.publishRate()),
            none ? "-" : rate(r.receiveRate()),
            r.unique == 0 ? "-" : ms(r.p50),
            r.unique == 0 ? "-" : ms(r.p99),
            r.unique == 0 ? "-" : ms(r.max),
        };
    }

    static void table(PrintStream out, BenchmarkOptions o, List<CaseResult> results) {
        out.printf(Locale.ROOT, "Courier MQTT benchmark  broker=%s:%d  mqtt=%s  payload=%dB  inflight=%d  clients=%d  "
                + "%s  warmup=%ss  drain<=%ss  threads=%d%s%n",
            o.host(), o.port(), versions(o), o.payload(), o.inflight(), o.clients(),
            o.messages() > 0 ? "messages=" + o.messages() + "/publisher (cap " + num(o.effectiveDurationSeconds()) + "s)"
                : "duration=" + num(o.effectiveDurationSeconds()) + "s",
            num(o.warmupSeconds()), num(o.drainSeconds()), o.threads(),
            (o.rate() > 0 ? "  rate=" + o.rate() + "/s" : "")
                + (o.e2eWindow() > 0 ? "  e2e-window=" + o.e2eWindow() : "")
                + (o.brokerPid() > 0 ? "  broker-pid=" + o.brokerPid() : ""));
        List<CaseResult> flows = new ArrayList<>();
        List<CaseResult> connections = new ArrayList<>();
        for (CaseResult r : results) {
            (r.scenario.throughput() ? flows : connections).add(r);
        }
        boolean broker = o.brokerPid() > 0;
        if (!flows.isEmpty()) {
            boolean ratio = bothVersions(results);
            List<String> columns = new ArrayList<>(List.of(COLUMNS));
            if (broker) {
                columns.addAll(BROKER_COLUMNS);
            }
            if (ratio) {
                columns.add(RATIO_COLUMN);
            }
            List<String[]> rows = new ArrayList<>();
            for (CaseResult r : flows) {
                List<String> row = new ArrayList<>(List.of(row(r)));
                if (broker) {
                    row.addAll(List.of(fixed(r.brokerCpuPercent(), 1),
                        fixed(r.brokerMicrosPerMessage(), 2), megabytes(r.brokerRssKb)));
                }
                if (ratio) {
                    row.add(ratio(receiveRatio(results, r)));
                }
                rows.add(row.toArray(new String[0]));
            }
            print(out, columns.toArray(new String[0]), rows);
        }
        if (!connections.isEmpty()) {
            if (!flows.isEmpty()) {
                out.println();
            }
            boolean storm = false;
            for (CaseResult r : connections) {
                storm |= r.scenario == Scenario.RECONNECT_STORM;
            }
            List<String> columns = new ArrayList<>(CONNECTION_COLUMNS);
            if (storm) {
                columns.addAll(STORM_COLUMNS);
            }
            if (broker) {
                columns.addAll(CONNECTION_BROKER_COLUMNS);
            }
            List<String[]> rows = new ArrayList<>();
            for (CaseResult r : connections) {
                rows.add(connectionRow(r, storm, broker));
            }
            print(out, columns.toArray(new String[0]), rows);
        }
        notes(out, results);
    }

    /** A row of the connection table, in the order of its columns. */
    static String[] connectionRow(CaseResult r, boolean storm, boolean broker) {
        boolean isStorm = r.scenario == Scenario.RECONNECT_STORM;
        List<String> row = new ArrayList<>(List.of(
            r.scenario.label(),
            r.mqtt.label(),
            Integer.toString(r.clients),
            Long.toString(r.connected),
            Long.toString(r.failedConnections()),
            r.connected == 0 ? "-" : rate(r.connectRate()),
            r.connected == 0 ? "-" : String.format(Locale.ROOT, "%.3f", r.readySeconds),
            r.connected == 0 ? "-" : ms(r.p50),
            r.connected == 0 ? "-" : ms(r.p99),
            r.connected == 0 ? "-" : ms(r.max)));
        if (storm) {
            if (isStorm) {
                row.addAll(List.of(Long.toString(r.sessionsLost), Long.toString(r.expected),
                    Long.toString(r.received), Long.toString(r.lost()),
                    Long.toString(r.duplicates()),
                    r.received == 0 ? "-" : String.format(Locale.ROOT, "%.3f", r.deliverSeconds)));
            } else {
                row.addAll(List.of("-", "-", "-", "-", "-", "-"));
            }
        }
        if (broker) {
            row.addAll(List.of(fixed(r.heapPerConnection, 0), fixed(r.rssPerConnection, 0),
                fixed(r.brokerCpuPercent(), 1), fixed(r.brokerMicrosPerConnection(), 1),
                megabytes(r.brokerRssKb)));
        }
        return row.toArray(new String[0]);
    }

    private static void print(PrintStream out, String[] columns, List<String[]> rows) {
        int[] width = new int[columns.length];
        for (int c = 0; c < columns.length; c++) {
            width[c] = columns[c].length();
        }
        for (String[] row : rows) {
            for (int c = 0; c < columns.length; c++) {
                width[c] = Math.max(width[c], row[c].length());
            }
        }
        StringBuilder sep = new StringBuilder();
        for (int c = 0; c < columns.length; c++) {
            sep.append(c == 0 ? "" : "-+-").append("-".repeat(width[c]));
        }
        out.println(line(columns, width));
        out.println(sep);
        for (String[] row : rows) {
            out.println(line(row, width));
        }
    }

    private static String tag(CaseResult r) {
        String qos = r.scenario.throughput() ? " qos" + r.qos : "";
        return r.scenario.label() + qos + " mqtt " + r.mqtt.label();
    }

    private static void notes(PrintStream out, List<CaseResult> results) {
        boolean notes = false;
        for (CaseResult r : results) {
            String tag = tag(r);
            for (String e : r.errors) {
                out.println((notes ? "" : "\n") + "ERROR " + tag + ": " + e);
                notes = true;
            }
            if (r.violatesGuarantee() && !r.failed()) {
                out.println((notes ? "" : "\n") + "FAIL  " + tag + ": " + failure(r));
                if (r.gapPairs > 0) {
                    out.println("      " + r.gapPairs + " subscriber/publisher pair(s) with gaps, e.g.:");
                    for (String g : r.gaps) {
                        out.println("        " + g);
                    }
                }
                notes = true;
            } else if (r.failed() && !r.failures.isEmpty()) {
                out.println("      " + r.failedConnections() + " connection(s) failed: "
                    + kinds(r.failures));
            }
            List<String> lines = new ArrayList<>(r.notes);
            if (r.foreign > 0) {
                lines.add(r.foreign + " unexpected payloads ignored");
            }
            if (r.windowWriteOffs > 0) {
                lines.add("end-to-end window stalled " + r.windowWriteOffs + " time(s) for "
                    + DeliveryWindow.STALL_NANOS / 1_000_000 + " ms and was written off");
            }
            if (r.redelivered > 0) {
                lines.add(r.redelivered
                    + " QoS 2 retransmissions of unreleased packet ids (not duplicates)");
            }
            for (String n : lines) {
                out.println((notes ? "" : "\n") + "NOTE  " + tag + ": " + n);
                notes = true;
            }
        }
    }

    /**
     * What a FAIL line says: the losses, the duplicates that count, the failed connections by kind.
     */
    static String failure(CaseResult r) {
        List<String> parts = new ArrayList<>();
        if (r.failedConnections() > 0) {
            parts.add(r.failedConnections() + " connection(s) failed (" + kinds(r.failures) + ")");
        }
        if (r.dropped > 0) {
            parts.add(r.dropped + " dropped during --hold");
        }
        if (r.sessionsLost > 0) {
            parts.add(r.sessionsLost + " session(s) lost");
        }
        if (r.lost() > 0) {
            parts.add(r.lost() + " lost");
        }
        if (r.qos == 2 && r.duplicates() > 0 && r.scenario.throughput()) {
            parts.add(r.duplicates() + " duplicated");
        }
        return String.join(", ", parts);
    }

    /** "CONNACK 0x05 Not authorized: 3, timeout: 1". */
    static String kinds(Map<String, Long> failures) {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, Long> e : failures.entrySet()) {
            b.append(b.length() == 0 ? "" : ", ");
            b.append(e.getKey()).append(": ").append(e.getValue());
        }
        return b.toString();
    }

    /** {@code d} with {@code decimals} decimals, "-" for NaN. */
    static String fixed(double d, int decimals) {
        return Double.isNaN(d) ? "-" : String.format(Locale.ROOT, "%." + decimals + "f", d);
    }

    private static String megabytes(long kb) {
        return kb < 0 ? "-" : String.format(Locale.ROOT, "%.1f", kb / 1024.0);
    }

    private static String versions(BenchmarkOptions o) {
        StringBuilder b = new StringBuilder();
        for (ProtocolVersion v : o.mqtt()) {
            b.append(b.length() == 0 ? "" : ",").append(v.label());
        }
        return b.toString();
    }

    private static String line(String[] cells, int[] width) {
        StringBuilder b = new StringBuilder();
        for (int c = 0; c < cells.length; c++) {
            if (c > 0) {
                b.append(" | ");
            }
            String fmt = c == 0 ? "%-" + width[c] + "s" : "%" + width[c] + "s";
            b.append(String.format(Locale.ROOT, fmt, cells[c]));
        }
        return b.toString();
    }

    /**
     * Fields that CSV and JSON add after {@code mean_ms}; empty (CSV) or null (JSON) where they do
     * not apply: the broker fields without --broker-pid, the connection fields for the throughput
     * scenarios.
     */
    static final List<String> EXTRA_FIELDS = List.of("peak_inflight", "broker_cpu_pct",
        "broker_cpu_us_per_msg", "broker_cpu_us_per_conn", "broker_rss_kb", "clients", "connected",
        "failed", "failures", "conn_per_s", "connect_s", "ready_s", "dropped", "sessions_lost",
        "deliver_s", "heap_bytes_per_conn", "rss_bytes_per_conn");

    /**
     * The values of {@link #EXTRA_FIELDS}; null where a field does not apply. The one text field,
     * failures, is quoted for JSON or for CSV.
     */
    static List<String> extraValues(CaseResult r, boolean json) {
        boolean conn = !r.scenario.throughput();
        boolean storm = r.scenario == Scenario.RECONNECT_STORM;
        List<String> v = new ArrayList<>();
        v.add(r.scenario.throughput() && r.qos > 0 ? Integer.toString(r.peakInflight) : null);
        v.add(number(r.brokerCpuPercent(), 1));
        v.add(number(r.brokerMicrosPerMessage(), 3));
        v.add(number(r.brokerMicrosPerConnection(), 3));
        v.add(r.brokerRssKb < 0 ? null : Long.toString(r.brokerRssKb));
        v.add(conn ? Integer.toString(r.clients) : null);
        v.add(conn ? Long.toString(r.connected) : null);
        v.add(conn ? Long.toString(r.failedConnections()) : null);
        String failures = kinds(r.failures);
        v.add(conn ? json ? jsonString(failures) : csvQuote(failures) : null);
        v.add(conn ? f1(r.connectRate()) : null);
        v.add(conn ? number(r.connectSeconds, 3) : null);
        v.add(conn ? number(r.readySeconds, 3) : null);
        v.add(r.scenario == Scenario.CONNECTIONS ? Long.toString(r.dropped) : null);
        v.add(storm ? Long.toString(r.sessionsLost) : null);
        v.add(storm ? number(r.deliverSeconds, 3) : null);
        v.add(number(r.heapPerConnection, 0));
        v.add(number(r.rssPerConnection, 0));
        return v;
    }

    /**
     * Whether a row has latencies: end to end for the throughput scenarios, connect start to
     * CONNACK for the connection scenarios (when anything connected).
     */
    private static boolean latency(CaseResult r) {
        return r.scenario.throughput() || r.connected > 0;
    }

    private static String number(double d, int decimals) {
        return Double.isNaN(d) ? null : fixed(d, decimals);
    }

    static void csv(PrintStream out, List<CaseResult> results) {
        out.println("scenario,qos,mqtt,publishers,subscribers,sent,acked,expected,received,unique,lost,dup,"
            + "pub_msgs_per_s,recv_msgs_per_s,p50_ms,p99_ms,max_ms,mean_ms,"
            + String.join(",", EXTRA_FIELDS) + ",recv_ratio_5_to_311,error");
        for (CaseResult r : results) {
            double ratio = receiveRatio(results, r);
            boolean flow = r.scenario.throughput();
            boolean latency = latency(r);
            List<String> cells = new ArrayList<>(List.of(
                r.scenario.label(), r.qos < 0 ? "" : Integer.toString(r.qos), r.mqtt.label(),
                flow ? Integer.toString(r.publishers) : "",
                flow ? Integer.toString(r.subscribers) : "",
                Long.toString(r.sent), r.qos <= 0 ? "" : Long.toString(r.acked),
                Long.toString(r.expected), Long.toString(r.received), Long.toString(r.unique),
                Long.toString(r.lost()), Long.toString(r.duplicates()),
                flow ? f1(r.publishRate()) : "", flow ? f1(r.receiveRate()) : "",
                latency ? ms(r.p50) : "", latency ? ms(r.p99) : "", latency ? ms(r.max) : "",
                latency ? ms((long) r.mean) : ""));
            for (String v : extraValues(r, false)) {
                cells.add(v == null ? "" : v);
            }
            cells.add(Double.isNaN(ratio) ? "" : ratio(ratio));
            cells.add(csvQuote(String.join("; ", r.errors)));
            out.println(String.join(",", cells));
        }
    }

    static void json(PrintStream out, BenchmarkOptions o, List<CaseResult> results) {
        StringBuilder b = new StringBuilder();
        b.append("{\n  \"broker\": ").append(jsonString(o.host() + ":" + o.port()))
            .append(",\n  \"mqtt\": ").append(jsonString(versions(o)))
            .append(",\n  \"payload\": ").append(o.payload())
            .append(",\n  \"inflight\": ").append(o.inflight())
            .append(",\n  \"clients\": ").append(o.clients())
            .append(",\n  \"messages\": ").append(o.messages())
            .append(",\n  \"duration_s\": ").append(num(o.effectiveDurationSeconds()))
            .append(",\n  \"warmup_s\": ").append(num(o.warmupSeconds()))
            .append(",\n  \"broker_pid\": ")
            .append(o.brokerPid() > 0 ? Long.toString(o.brokerPid()) : "null")
            .append(",\n  \"results\": [");
        for (int i = 0; i < results.size(); i++) {
            CaseResult r = results.get(i);
            double ratio = receiveRatio(results, r);
            boolean flow = r.scenario.throughput();
            b.append(i == 0 ? "\n" : ",\n").append("    {")
                .append("\"scenario\": ").append(jsonString(r.scenario.label()))
                .append(", \"qos\": ").append(r.qos < 0 ? "null" : Integer.toString(r.qos))
                .append(", \"mqtt\": ").append(jsonString(r.mqtt.label()))
                .append(", \"publishers\": ").append(flow ? Integer.toString(r.publishers) : "null")
                .append(", \"subscribers\": ")
                .append(flow ? Integer.toString(r.subscribers) : "null")
                .append(", \"sent\": ").append(r.sent)
                .append(", \"acked\": ").append(r.qos <= 0 ? "null" : Long.toString(r.acked))
                .append(", \"expected\": ").append(r.expected)
                .append(", \"received\": ").append(r.received)
                .append(", \"unique\": ").append(r.unique)
                .append(", \"lost\": ").append(r.lost())
                .append(", \"dup\": ").append(r.duplicates())
                .append(", \"pub_msgs_per_s\": ").append(flow ? f1(r.publishRate()) : "null")
                .append(", \"recv_msgs_per_s\": ").append(flow ? f1(r.receiveRate()) : "null")
                .append(", \"p50_ms\": ").append(latency(r) ? ms(r.p50) : "null")
                .append(", \"p99_ms\": ").append(latency(r) ? ms(r.p99) : "null")
                .append(", \"max_ms\": ").append(latency(r) ? ms(r.max) : "null")
                .append(", \"mean_ms\": ").append(latency(r) ? ms((long) r.mean) : "null");
            List<String> extra = extraValues(r, true);
            for (int f = 0; f < EXTRA_FIELDS.size(); f++) {
                b.append(", \"").append(EXTRA_FIELDS.get(f)).append("\": ")
                    .append(extra.get(f) == null ? "null" : extra.get(f));
            }
            b.append(", \"recv_ratio_5_to_311\": ")
                .append(Double.isNaN(ratio) ? "null" : ratio(ratio))
                .append(", \"guarantee_violated\": ").append(r.violatesGuarantee())
                .append(", \"errors\": [");
            for (int e = 0; e < r.errors.size(); e++) {
                b.append(e == 0 ? "" : ", ").append(jsonString(r.errors.get(e)));
            }
            b.append("], \"notes\": [");
            for (int n = 0; n < r.notes.size(); n++) {
                b.append(n == 0 ? "" : ", ").append(jsonString(r.notes.get(n)));
            }
            b.append("]}");
        }
        b.append("\n  ]\n}");
        out.println(b);
    }

    private static String f1(double d) {
        return String.format(Locale.ROOT, "%.1f", d);
    }

    static String num(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : String.format(Locale.ROOT, "%.3f", d);
    }

    private static String csvQuote(String s) {
        if (s.isEmpty()) {
            return "";
        }
        return "\"" + s.replace("\"", "\"\"") + "\"";
    }

    static String jsonString(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '"': b.append("\\\""); break;
                case '\\': b.append("\\\\"); break;
                case '\n': b.append("\\n"); break;
                case '\r': b.append("\\r"); break;
                case '\t': b.append("\\t"); break;
                default:
                    if (ch < 0x20) {
                        b.append(String.format(Locale.ROOT, "\\u%04x", (int) ch));
                    } else {
                        b.append(ch);
                    }
            }
        }
        return b.append('"').toString();
    }
}
