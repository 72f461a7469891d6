package dev.courier.mqtt.benchmark;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/** Renders results as a text table, CSV or JSON. */
final class Report {

    private static final String[] COLUMNS = {
        "scenario", "qos", "mqtt", "sent", "acked", "received", "lost", "dup",
        "pub msg/s", "recv msg/s", "p50 ms", "p99 ms", "max ms"};
    /** Extra column when both versions ran: {@link #receiveRatio}. */
    static final String RATIO_COLUMN = "5.0/3.1.1";

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
        if (r.mqtt != ProtocolVersion.V5 || r.failed()) {
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
            v3 |= r.mqtt == ProtocolVersion.V3_1_1;
            v5 |= r.mqtt == ProtocolVersion.V5;
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
            (o.rate() > 0 ? "  rate=" + o.rate() + "/s" : "") + (o.e2eWindow() > 0 ? "  e2e-window=" + o.e2eWindow() : ""));
        boolean ratio = bothVersions(results);
        String[] columns = ratio ? append(COLUMNS, RATIO_COLUMN) : COLUMNS;
        String[][] rows = new String[results.size()][];
        int[] width = new int[columns.length];
        for (int c = 0; c < columns.length; c++) {
            width[c] = columns[c].length();
        }
        for (int i = 0; i < results.size(); i++) {
            CaseResult r = results.get(i);
            rows[i] = ratio ? append(row(r), ratio(receiveRatio(results, r))) : row(r);
            for (int c = 0; c < columns.length; c++) {
                width[c] = Math.max(width[c], rows[i][c].length());
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
        boolean notes = false;
        for (CaseResult r : results) {
            String tag = r.scenario.label() + " qos" + r.qos + " mqtt " + r.mqtt.label();
            for (String e : r.errors) {
                out.println((notes ? "" : "\n") + "ERROR " + tag + ": " + e);
                notes = true;
            }
            if (r.violatesGuarantee() && !r.failed()) {
                out.println((notes ? "" : "\n") + "FAIL  " + tag + ": "
                    + (r.lost() > 0 ? r.lost() + " lost " : "") + (r.qos == 2 && r.duplicates() > 0
                    ? r.duplicates() + " duplicated" : ""));
                if (r.gapPairs > 0) {
                    out.println("      " + r.gapPairs + " subscriber/publisher pair(s) with gaps, e.g.:");
                    for (String g : r.gaps) {
                        out.println("        " + g);
                    }
                }
                notes = true;
            }
            if (r.foreign > 0) {
                out.println((notes ? "" : "\n") + "NOTE  " + tag + ": " + r.foreign + " unexpected payloads ignored");
                notes = true;
            }
            if (r.windowWriteOffs > 0) {
                out.println((notes ? "" : "\n") + "NOTE  " + tag + ": end-to-end window stalled " + r.windowWriteOffs
                    + " time(s) for " + DeliveryWindow.STALL_NANOS / 1_000_000 + " ms and was written off");
                notes = true;
            }
            if (r.redelivered > 0) {
                out.println((notes ? "" : "\n") + "NOTE  " + tag + ": " + r.redelivered
                    + " QoS 2 retransmissions of unreleased packet ids (not duplicates)");
                notes = true;
            }
        }
    }

    private static String[] append(String[] cells, String cell) {
        String[] out = java.util.Arrays.copyOf(cells, cells.length + 1);
        out[cells.length] = cell;
        return out;
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

    static void csv(PrintStream out, List<CaseResult> results) {
        out.println("scenario,qos,mqtt,publishers,subscribers,sent,acked,expected,received,unique,lost,dup,"
            + "pub_msgs_per_s,recv_msgs_per_s,p50_ms,p99_ms,max_ms,mean_ms,recv_ratio_5_to_311,error");
        for (CaseResult r : results) {
            double ratio = receiveRatio(results, r);
            out.println(String.join(",",
                r.scenario.label(), Integer.toString(r.qos), r.mqtt.label(), Integer.toString(r.publishers),
                Integer.toString(r.subscribers), Long.toString(r.sent), r.qos == 0 ? "" : Long.toString(r.acked),
                Long.toString(r.expected), Long.toString(r.received), Long.toString(r.unique),
                Long.toString(r.lost()), Long.toString(r.duplicates()),
                f1(r.publishRate()), f1(r.receiveRate()), ms(r.p50), ms(r.p99), ms(r.max), ms((long) r.mean),
                Double.isNaN(ratio) ? "" : ratio(ratio), csvQuote(String.join("; ", r.errors))));
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
            .append(",\n  \"results\": [");
        for (int i = 0; i < results.size(); i++) {
            CaseResult r = results.get(i);
            double ratio = receiveRatio(results, r);
            b.append(i == 0 ? "\n" : ",\n").append("    {")
                .append("\"scenario\": ").append(jsonString(r.scenario.label()))
                .append(", \"qos\": ").append(r.qos)
                .append(", \"mqtt\": ").append(jsonString(r.mqtt.label()))
                .append(", \"publishers\": ").append(r.publishers)
                .append(", \"subscribers\": ").append(r.subscribers)
                .append(", \"sent\": ").append(r.sent)
                .append(", \"acked\": ").append(r.qos == 0 ? "null" : Long.toString(r.acked))
                .append(", \"expected\": ").append(r.expected)
                .append(", \"received\": ").append(r.received)
                .append(", \"unique\": ").append(r.unique)
                .append(", \"lost\": ").append(r.lost())
                .append(", \"dup\": ").append(r.duplicates())
                .append(", \"pub_msgs_per_s\": ").append(f1(r.publishRate()))
                .append(", \"recv_msgs_per_s\": ").append(f1(r.receiveRate()))
                .append(", \"p50_ms\": ").append(ms(r.p50))
                .append(", \"p99_ms\": ").append(ms(r.p99))
                .append(", \"max_ms\": ").append(ms(r.max))
                .append(", \"mean_ms\": ").append(ms((long) r.mean))
                .append(", \"recv_ratio_5_to_311\": ").append(Double.isNaN(ratio) ? "null" : ratio(ratio))
                .append(", \"guarantee_violated\": ").append(r.violatesGuarantee())
                .append(", \"errors\": [");
            for (int e = 0; e < r.errors.size(); e++) {
                b.append(e == 0 ? "" : ", ").append(jsonString(r.errors.get(e)));
            }
            b.append("]}");
        }
        b.append("\n  ]\n}");
        out.println(b);
    }

    private static String f1(double d) {
        return String.format(Locale.ROOT, "%.1f", d);
    }

    private static String num(double d) {
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
