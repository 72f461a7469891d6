package dev.courier.mqtt.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    @Test
    void whenConnectionOptions_thenParsedWithDefaults() {
        BenchmarkOptions d = BenchmarkOptions.parse();
        assertEquals(0, d.brokerPid());
        assertEquals(500, d.connectInflight());
        assertEquals(2000, d.connectWarmup());
        assertEquals(1, d.sourceAddresses());
        assertEquals(0, d.holdSeconds());
        assertEquals(1, d.stormMessages());
        assertFalse(d.subscribe());
        BenchmarkOptions o = BenchmarkOptions.parse("--scenarios", "connections,reconnect-storm",
            "--clients", "19500", "--broker-pid", "4711", "--connect-inflight", "200",
            "--source-addresses", "4", "--hold", "1m", "--storm-messages", "3", "--subscribe",
            "--connect-warmup", "0");
        assertEquals(List.of(Scenario.CONNECTIONS, Scenario.RECONNECT_STORM), o.scenarios());
        assertEquals(19_500, o.clients());
        assertEquals(4711, o.brokerPid());
        assertEquals(200, o.connectInflight());
        assertEquals(0, o.connectWarmup());
        assertEquals(4, o.sourceAddresses());
        assertEquals(60, o.holdSeconds());
        assertEquals(3, o.stormMessages());
        assertTrue(o.subscribe());
    }

    @Test
    void whenAll_thenTheThreeThroughputScenariosOnly() {
        assertEquals(List.of(Scenario.ONE_TO_ONE, Scenario.FAN_IN, Scenario.FAN_OUT),
            BenchmarkOptions.parse("--scenarios", "all").scenarios());
    }

    @Test
    void whenManyClientsForAThroughputScenario_thenRefusedNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> BenchmarkOptions.parse("--scenarios", "connections,fan-out",
                "--clients", "20000"));
        assertTrue(e.getMessage().contains("fan-out"), e.getMessage());
        assertEquals(10_000, BenchmarkOptions.parse("--clients", "10000").clients());
    }

    @Test
    void whenSourceAddressesWithARemoteHost_thenRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> BenchmarkOptions.parse("--host", "10.0.0.1", "--source-addresses", "2"));
        assertTrue(e.getMessage().startsWith("--source-addresses 2"), e.getMessage());
        assertEquals(2, BenchmarkOptions.parse("--host", "localhost", "--source-addresses", "2")
            .sourceAddresses());
        assertEquals(1, BenchmarkOptions.parse("--host", "10.0.0.1", "--source-addresses", "1")
            .sourceAddresses());
    }

    @Test
    void whenConnectionOptionsOutOfRange_thenRefused() {
        assertThrows(IllegalArgumentException.class,
            () -> BenchmarkOptions.parse("--source-addresses", "255"));
        assertThrows(IllegalArgumentException.class,
            () -> BenchmarkOptions.parse("--connect-inflight", "0"));
        assertThrows(IllegalArgumentException.class,
            () -> BenchmarkOptions.parse("--broker-pid", "0"));
        assertThrows(IllegalArgumentException.class,
            () -> BenchmarkOptions.parse("--storm-messages", "0"));
        assertThrows(IllegalArgumentException.class,
            () -> BenchmarkOptions.parse("--connect-warmup", "-1"));
        assertThrows(IllegalArgumentException.class,
            () -> BenchmarkOptions.parse("--clients", "1000001", "--scenarios", "connections"));
    }
}
