package dev.courier.mqtt.benchmark;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The connection scenarios end to end against {@link FakeBroker}, which refuses and loses on
 * request.
 */
class ConnectionCasesTest {

    private final EventLoopGroup group = new NioEventLoopGroup(2);

    @AfterEach
    void shutDown() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** The client number at the end of a client id ("cb...n12" is 12). */
    private static int number(String clientId) {
        int i = clientId.length();
        while (i > 0 && Character.isDigit(clientId.charAt(i - 1))) {
            i--;
        }
        return i == clientId.length() ? -1 : Integer.parseInt(clientId.substring(i));
    }

    private CaseResult run(FakeBroker broker, Scenario scenario, ProtocolVersion version,
        String... extra) {
        String[] args = {"--port", Integer.toString(broker.port()), "--clients", "12",
            "--connect-inflight",
            "3", "--drain", "1", "--storm-messages", "2", "--connect-timeout", "5"};
        String[] all = java.util.Arrays.copyOf(args, args.length + extra.length);
        System.arraycopy(extra, 0, all, args.length, extra.length);
        BenchmarkOptions o = BenchmarkOptions.parse(all);
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        return new ConnectionCases(o, group, "tst001", null, quiet).run(scenario, version);
    }

    @Test
    void whenBrokerRefusesEveryFourth_thenConnectedAndFailuresByCode() throws Exception {
        try (FakeBroker broker = new FakeBroker(id -> number(id) % 4 == 0, id -> false)) {
            CaseResult r = run(broker, Scenario.CONNECTIONS, ProtocolVersion.V3_1_1, "--subscribe");
            assertEquals(9, r.connected);
            assertEquals(Map.of("CONNACK 0x03 Server unavailable", 3L), r.failures);
            assertTrue(r.violatesGuarantee(), "a refused connection fails the run");
            assertTrue(r.connectRate() > 0 && r.p50 > 0 && r.readySeconds >= r.connectSeconds);
            assertTrue(r.errors.isEmpty(), String.valueOf(r.errors));
        }
    }

    @Test
    void whenAllConnect_thenNoFailureAndNothingLeftOnTheBroker() throws Exception {
        try (FakeBroker broker = new FakeBroker(id -> false, id -> false)) {
            CaseResult r = run(broker, Scenario.CONNECTIONS, ProtocolVersion.V5);
            assertEquals(12, r.connected);
            assertFalse(r.violatesGuarantee());
            awaitNoSessions(broker);
        }
    }

    @Test
    void whenConnectWarmup_thenThoseClientsConnectFirstAndAreNotCounted() throws Exception {
        for (int warmup : new int[] {0, 5, 2000}) {
            java.util.List<String> seen = java.util.Collections.synchronizedList(
                new java.util.ArrayList<>());
            try (FakeBroker broker = new FakeBroker(id -> !seen.add(id), id -> false)) {
                CaseResult r = run(broker, Scenario.CONNECTIONS, ProtocolVersion.V3_1_1,
                    "--connect-warmup", Integer.toString(warmup));
                int expected = Math.min(warmup, 12);
                assertEquals(12, r.connected);
                assertEquals(expected + 12, seen.size(), String.valueOf(seen));
                for (int i = 0; i < seen.size(); i++) {
                    String id = seen.get(i);
                    assertEquals(i < expected, id.contains("nw"), "warm-up first: " + seen);
                }
                assertTrue(r.errors.isEmpty(), String.valueOf(r.errors));
                awaitNoSessions(broker);
            }
        }
    }

    /** The broker handles the last DISCONNECTs and closes after the case has closed its side. */
    private static void awaitNoSessions(FakeBroker broker) {
        await().atMost(Duration.ofSeconds(10)).until(() -> broker.sessions() == 0);
    }

    @Test
    void whenStormAndOneSessionLost_thenSessionAndItsMessagesCountedLostAndSessionsCleared()
        throws Exception {
        for (ProtocolVersion v : ProtocolVersion.values()) {
            try (FakeBroker broker = new FakeBroker(id -> false, id -> number(id) == 5)) {
                CaseResult r = run(broker, Scenario.RECONNECT_STORM, v);
                assertTrue(r.errors.isEmpty(), String.valueOf(r.errors));
                assertEquals(24, r.sent, v.label());
                assertEquals(24, r.acked);
                assertEquals(12, r.connected);
                assertEquals(1, r.sessionsLost, v.label());
                assertEquals(24, r.expected);
                assertEquals(22, r.unique);
                assertEquals(2, r.lost());
                assertEquals(0, r.duplicates());
                assertTrue(r.violatesGuarantee());
                awaitNoSessions(broker);
            }
        }
    }

    @Test
    void whenStormAndBrokerKeepsEverything_thenExactlyOnceAndNoViolation() throws Exception {
        try (FakeBroker broker = new FakeBroker(id -> false, id -> false)) {
            CaseResult r = run(broker, Scenario.RECONNECT_STORM, ProtocolVersion.V5);
            assertEquals(0, r.sessionsLost);
            assertEquals(24, r.unique);
            assertEquals(24, r.received);
            assertFalse(r.violatesGuarantee(), String.valueOf(r.errors) + r.failures);
            assertTrue(r.deliverSeconds > 0);
            awaitNoSessions(broker);
        }
    }
}
