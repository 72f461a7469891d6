package dev.courier.mqtt.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class BenchmarkOptionsTest {

    @Test
    void defaults() {
        BenchmarkOptions o = BenchmarkOptions.parse();
        assertEquals("127.0.0.1", o.host());
        assertEquals(1883, o.port());
        assertEquals(List.of(0, 1, 2), o.qos());
        assertEquals(3, o.scenarios().size());
        assertEquals(64, o.payload());
        assertEquals(64, o.inflight());
        assertEquals(100, o.clients());
        assertEquals(1000, o.e2eWindow());
        assertEquals(10.0, o.effectiveDurationSeconds());
        assertEquals(BenchmarkOptions.Format.TABLE, o.format());
        assertEquals(List.of(ProtocolVersion.V3_1_1), o.mqtt());
    }

    @Test
    void whenMqttGiven_thenVersionsInOrder() {
        assertEquals(List.of(ProtocolVersion.V5), BenchmarkOptions.parse("--mqtt", "5").mqtt());
        assertEquals(List.of(ProtocolVersion.V3_1_1, ProtocolVersion.V5),
            BenchmarkOptions.parse("--mqtt=3.1.1,5").mqtt());
        assertEquals(List.of(ProtocolVersion.V5, ProtocolVersion.V3_1_1),
            BenchmarkOptions.parse("--mqtt", "5.0,311,5").mqtt());
        assertThrows(IllegalArgumentException.class, () -> BenchmarkOptions.parse("--mqtt", "3.1"));
        assertThrows(IllegalArgumentException.class, () -> BenchmarkOptions.parse("--mqtt", ","));
    }

    @Test
    void parsesValuesAndUnits() {
        BenchmarkOptions o = BenchmarkOptions.parse("--host", "10.0.0.1", "--port=18830", "--qos", "2,1",
            "--scenarios", "fan-out,one-to-one", "--messages", "50k", "--warmup", "500ms", "--clients", "10",
            "--payload", "128", "--json");
        assertEquals(18830, o.port());
        assertEquals(List.of(2, 1), o.qos());
        assertEquals(List.of(Scenario.FAN_OUT, Scenario.ONE_TO_ONE), o.scenarios());
        assertEquals(50_000, o.messages());
        assertEquals(0.5, o.warmupSeconds(), 1e-9);
        assertEquals(BenchmarkOptions.COUNT_MODE_CAP_SECONDS, o.effectiveDurationSeconds());
        assertEquals(BenchmarkOptions.Format.JSON, o.format());
        assertEquals(10, Scenario.FAN_OUT.subscribers(o.clients()));
        assertEquals(1, Scenario.FAN_OUT.publishers(o.clients()));
    }

    @Test
    void rejectsBadInput() {
        assertThrows(IllegalArgumentException.class, () -> BenchmarkOptions.parse("--qos", "3"));
        assertThrows(IllegalArgumentException.class, () -> BenchmarkOptions.parse("--payload", "8"));
        assertThrows(IllegalArgumentException.class, () -> BenchmarkOptions.parse("--nope", "1"));
        assertThrows(IllegalArgumentException.class, () -> BenchmarkOptions.parse("--port"));
        assertThrows(IllegalArgumentException.class, () -> BenchmarkOptions.parse("--scenarios", "fan-sideways"));
    }
}
