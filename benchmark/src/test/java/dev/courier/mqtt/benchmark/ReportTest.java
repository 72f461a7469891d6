package dev.courier.mqtt.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReportTest {

    @Test
    void whenBothVersions_thenRatioOn5RowOnly() {
        CaseResult v3 = result(Scenario.FAN_IN, 1, ProtocolVersion.V3_1_1, 1000);
        CaseResult v5 = result(Scenario.FAN_IN, 1, ProtocolVersion.V5, 900);
        CaseResult other = result(Scenario.FAN_OUT, 1, ProtocolVersion.V5, 5000);
        List<CaseResult> all = List.of(v3, v5, other);
        assertEquals(0.9, Report.receiveRatio(all, v5), 1e-9);
        assertTrue(Double.isNaN(Report.receiveRatio(all, v3)));
        assertTrue(Double.isNaN(Report.receiveRatio(all, other)), "no 3.1.1 row of the same scenario");
        v3.errors.add("refused");
        assertTrue(Double.isNaN(Report.receiveRatio(all, v5)), "no ratio against a failed row");
    }

    @Test
    void whenTable_thenMqttAndRatioColumns() {
        List<CaseResult> all = List.of(result(Scenario.ONE_TO_ONE, 0, ProtocolVersion.V3_1_1, 2000),
            result(Scenario.ONE_TO_ONE, 0, ProtocolVersion.V5, 2500));
        String table = render(out -> Report.table(out, BenchmarkOptions.parse("--mqtt", "3.1.1,5"), all));
        String[] lines = table.split("\n");
        assertTrue(lines[1].contains("|  mqtt |") && lines[1].endsWith("| 5.0/3.1.1"), lines[1]);
        assertTrue(lines[3].contains("| 3.1.1 |") && lines[3].endsWith("|         -"), lines[3]);
        assertTrue(lines[4].contains("|   5.0 |") && lines[4].endsWith("|      1.25"), lines[4]);
    }

    @Test
    void whenOneVersion_thenNoRatioColumn() {
        List<CaseResult> all = List.of(result(Scenario.ONE_TO_ONE, 0, ProtocolVersion.V5, 2000));
        String table = render(out -> Report.table(out, BenchmarkOptions.parse("--mqtt", "5"), all));
        assertTrue(!table.contains(Report.RATIO_COLUMN) && table.contains("|  5.0 |"), table);
    }

    @Test
    void whenCsvAndJson_thenMqttField() {
        List<CaseResult> all = List.of(result(Scenario.FAN_OUT, 2, ProtocolVersion.V3_1_1, 100),
            result(Scenario.FAN_OUT, 2, ProtocolVersion.V5, 50));
        String[] csv = render(out -> Report.csv(out, all)).split("\n");
        assertTrue(csv[0].startsWith("scenario,qos,mqtt,") && csv[0].endsWith(",recv_ratio_5_to_311,error"));
        assertTrue(csv[1].startsWith("fan-out,2,3.1.1,") && csv[1].endsWith(",,"), csv[1]);
        assertTrue(csv[2].startsWith("fan-out,2,5.0,") && csv[2].endsWith(",0.50,"), csv[2]);
        String json = render(out -> Report.json(out, BenchmarkOptions.parse("--mqtt", "3.1.1,5"), all));
        assertTrue(json.contains("\"mqtt\": \"3.1.1,5.0\""), json);
        assertTrue(json.contains("\"mqtt\": \"5.0\"") && json.contains("\"recv_ratio_5_to_311\": 0.50"), json);
        assertTrue(json.contains("\"recv_ratio_5_to_311\": null"), json);
    }

    @Test
    void whenBrokerPid_thenBrokerColumnsBeforeTheRatio() {
        CaseResult v3 = result(Scenario.FAN_IN, 1, ProtocolVersion.V3_1_1, 200_000);
        v3.brokerCpuSeconds = 1.5;
        v3.brokerWindowSeconds = 2;
        v3.brokerRssKb = 2048;
        CaseResult v5 = result(Scenario.FAN_IN, 1, ProtocolVersion.V5, 100_000);
        BenchmarkOptions o = BenchmarkOptions.parse("--mqtt", "3.1.1,5", "--broker-pid", "1");
        String[] lines = render(out -> Report.table(out, o, List.of(v3, v5))).split("\n");
        assertTrue(lines[1].endsWith("| broker cpu % | broker us/msg | broker RSS MB | 5.0/3.1.1"),
            lines[1]);
        // 1.5 s of CPU in 2 s = 75 % of a core; 1.5 s / 200000 messages = 7.5 us each
        assertTrue(lines[3].endsWith("|         75.0 |          7.50 |           2.0 |         -"),
            lines[3]);
        assertTrue(lines[4].endsWith("|            - |             - |             - |      0.50"),
            lines[4]);
    }

    @Test
    void whenConnectionScenarios_thenTheirOwnTableAndFailuresByKind() {
        CaseResult c = connections(1000, 997);
        c.failures.put("CONNACK 0x03 Server unavailable", 2L);
        c.failures.put("timeout", 1L);
        c.heapPerConnection = 5123.4;
        c.rssPerConnection = 8192;
        c.brokerCpuSeconds = 0.5;
        c.brokerWindowSeconds = 1;
        CaseResult storm = connections(10, 10);
        storm.scenario = Scenario.RECONNECT_STORM;
        storm.sessionsLost = 1;
        storm.expected = 20;
        storm.received = 19;
        storm.unique = 18;
        storm.deliverSeconds = 0.25;
        BenchmarkOptions o = BenchmarkOptions.parse("--scenarios", "connections,reconnect-storm",
            "--broker-pid", "1");
        String table = render(out -> Report.table(out, o, List.of(c, storm)));
        String[] lines = table.split("\n");
        assertTrue(lines[1].startsWith("scenario        |  mqtt | clients | connected | failed |"
            + " conn/s | ready s | p50 ms | p99 ms | max ms | sessions lost | queued | received |"
            + " lost | dup | deliver s | heap B/conn | RSS B/conn | broker cpu % | broker us/conn"),
            lines[1]);
        String[] row = lines[3].split("\\s*\\|\\s*");
        assertEquals(List.of("connections", "3.1.1", "1000", "997", "3", "1994", "0.600"),
            List.of(row).subList(0, 7));
        assertEquals(List.of("-", "-", "-", "-", "-", "-", "5123", "8192", "50.0", "501.5", "-"),
            List.of(row).subList(10, 21));
        String[] stormRow = lines[4].split("\\s*\\|\\s*");
        assertEquals(List.of("1", "20", "19", "2", "1", "0.250"),
            List.of(stormRow).subList(10, 16));
        assertTrue(table.contains("FAIL  connections mqtt 3.1.1: 3 connection(s) failed"
            + " (CONNACK 0x03 Server unavailable: 2, timeout: 1)"), table);
        assertTrue(table.contains("FAIL  reconnect-storm mqtt 3.1.1: 1 session(s) lost, 2 lost"),
            table);
        assertTrue(c.violatesGuarantee() && storm.violatesGuarantee());
    }

    @Test
    void whenOnlyConnectionsWithoutBroker_thenNoStormOrBrokerColumnsAndNoThroughputTable() {
        String table = render(out -> Report.table(out, BenchmarkOptions.parse("--scenarios",
            "connections"), List.of(connections(5, 5))));
        String[] lines = table.split("\n");
        assertTrue(lines[1].endsWith("| p50 ms | p99 ms | max ms") && !table.contains("pub msg/s"),
            table);
        assertEquals(4, lines.length, "header, columns, separator, one row and no notes");
        assertTrue(!connections(5, 5).violatesGuarantee());
    }

    @Test
    void whenCsvAndJsonOfAConnectionCase_thenTheExtraFieldsFilledOrEmpty() {
        CaseResult c = connections(100, 99);
        c.failures.put("connect: Connection refused", 1L);
        CaseResult flow = result(Scenario.ONE_TO_ONE, 1, ProtocolVersion.V3_1_1, 10);
        flow.peakInflight = 16;
        String[] csv = render(out -> Report.csv(out, List.of(flow, c))).split("\n");
        List<String> header = List.of(csv[0].split(","));
        assertEquals(header.size(), csv[1].split(",", -1).length, csv[1]);
        assertEquals(header.size(), csv[2].split(",", -1).length, csv[2]);
        List<String> cells = List.of(csv[2].split(",", -1));
        assertEquals("", cells.get(header.indexOf("qos")));
        assertEquals("99", cells.get(header.indexOf("connected")));
        assertEquals("\"connect: Connection refused: 1\"", cells.get(header.indexOf("failures")));
        assertEquals("", cells.get(header.indexOf("broker_cpu_pct")));
        assertEquals("16", List.of(csv[1].split(",", -1)).get(header.indexOf("peak_inflight")));
        assertEquals("", List.of(csv[1].split(",", -1)).get(header.indexOf("connected")));
        String json = render(out -> Report.json(out, BenchmarkOptions.parse(), List.of(c)));
        assertTrue(json.contains("\"scenario\": \"connections\", \"qos\": null"), json);
        assertTrue(json.contains("\"failures\": \"connect: Connection refused: 1\""), json);
        assertTrue(json.contains("\"conn_per_s\": 198.0") && json.contains("\"broker_pid\": null"),
            json);
        assertTrue(json.contains("\"heap_bytes_per_conn\": null, \"rss_bytes_per_conn\": null"),
            json);
    }

    /** A connections case: {@code connected} of {@code clients} in 0.5 s, ready after 0.6 s. */
    private static CaseResult connections(int clients, long connected) {
        CaseResult r = new CaseResult();
        r.scenario = Scenario.CONNECTIONS;
        r.qos = -1;
        r.clients = clients;
        r.connected = connected;
        r.connectSeconds = 0.5;
        r.readySeconds = 0.6;
        r.p50 = 1_000_000;
        r.p99 = 2_000_000;
        r.max = 3_000_000;
        return r;
    }

    private static CaseResult result(Scenario s, int qos, ProtocolVersion v, long received) {
        CaseResult r = new CaseResult();
        r.scenario = s;
        r.qos = qos;
        r.mqtt = v;
        r.publishers = 1;
        r.subscribers = 1;
        r.sent = received;
        r.expected = received;
        r.received = received;
        r.unique = received;
        r.publishSeconds = 1;
        r.receiveSeconds = 1;
        return r;
    }

    private static String render(java.util.function.Consumer<PrintStream> writer) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        writer.accept(out);
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
