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
