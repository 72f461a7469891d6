package dev.courier.mqtt.benchmark;

import io.netty.channel.EventLoopGroup;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.LongAdder;

/**
 * The connection scenarios, once per MQTT version. {@code connections}: open --clients idle
 * connections as fast as the broker takes them, report the rate, the failures by kind and (with
 * --broker-pid) the broker's heap and RSS per connection, hold them for --hold, close.
 * {@code reconnect-storm}: --clients persistent sessions, each subscribed to its own topic, go
 * away; --storm-messages QoS 1 messages are queued for each; all come back at once and must find
 * their session and each message exactly once; then the sessions are removed. Runs on the caller's
 * thread; every wait has a limit.
 */
final class ConnectionCases {

    private static final long POLL_MILLIS = 5;

    private final BenchmarkOptions options;
    private final Connector connector;
    private final String runId;
    /** The broker's process, or null without --broker-pid. */
    private final BrokerProbe probe;
    private final PrintStream progress;

    ConnectionCases(BenchmarkOptions options, EventLoopGroup group, String runId, BrokerProbe probe,
                    PrintStream progress) {
        this.options = options;
        this.connector = new Connector(options, group);
        this.runId = runId;
        this.probe = probe;
        this.progress = progress;
    }

    CaseResult run(Scenario scenario, ProtocolVersion version) {
        switch (scenario) {
            case CONNECTIONS:
                return connections(version);
            case RECONNECT_STORM:
                return reconnectStorm(version);
            default:
                throw new IllegalArgumentException(scenario.label()
                    + " is not a connection scenario");
        }
    }

    private CaseResult newResult(Scenario scenario, ProtocolVersion version) {
        CaseResult r = new CaseResult();
        r.scenario = scenario;
        r.mqtt = version;
        r.clients = options.clients();
        return r;
    }

    private String caseId(Scenario scenario, ProtocolVersion version) {
        return runId + scenario.code() + version.code();
    }

    private String topicPrefix(Scenario scenario, ProtocolVersion version) {
        return "courier-bench/" + runId + "/" + scenario.label() + "/v" + version.code() + "/";
    }

    private SessionClient client(String id, ProtocolVersion version, int index, String topic,
        long expected,
                                 LongAdder counter) {
        SessionClient c = new SessionClient(id, version, options.keepAlive(), index, topic,
            expected, counter);
        c.username = options.username();
        c.password = options.password();
        return c;
    }

    // --------------------------------------------------------------------------------- connections

    private CaseResult connections(ProtocolVersion version) {
        CaseResult r = newResult(Scenario.CONNECTIONS, version);
        r.qos = options.subscribe() ? SessionClient.SUBSCRIPTION_QOS.value() : -1;
        String ids = "cb" + caseId(Scenario.CONNECTIONS, version) + "n";
        String topics = topicPrefix(Scenario.CONNECTIONS, version);
        List<SessionClient> clients = new ArrayList<>(r.clients);
        for (int i = 0; i < r.clients; i++) {
            clients.add(client(ids + i, version, i, options.subscribe() ? topics + i : null, 0,
                null));
        }
        try {
            // before the warm-up, so that RSS per connection counts what the warm-up grew too
            Memory before = memory(r);
            warmUp(ids + "w", version);
            BrokerProbe.CpuSample cpu0 = cpu();
            long start = connector.connectAll(clients);
            BrokerProbe.CpuSample cpu1 = cpu();
            List<SessionClient> open = countConnects(r, clients, start);
            brokerCpu(r, cpu0, cpu1);
            perConnection(r, before, memory(r), r.connected);
            if (options.holdSeconds() > 0) {
                progress.printf(Locale.ROOT, "[bench %s]   holding %d connections for %s s%n",
                    runId,
                    r.connected, Report.num(options.holdSeconds()));
                // the hold itself, not a wait for something to happen
                Thread.sleep((long) (options.holdSeconds() * 1000));
                countDropped(r, open);
            }
        } catch (Exception e) {
            r.errors.add(message(e));
        } finally {
            Connector.closeAll(clients, true);
        }
        return r;
    }

    /**
     * Opens and closes --connect-warmup clean clients (at most --clients), so that the measured
     * connects meet neither JVM (broker, load generator) cold; their failures are not counted.
     */
    private void warmUp(String ids, ProtocolVersion version) throws InterruptedException {
        int n = Math.min(options.connectWarmup(), options.clients());
        if (n == 0) {
            return;
        }
        progress.printf(Locale.ROOT, "[bench %s]   warm-up: %d connect(s) and close(s)%n", runId, n);
        List<SessionClient> warm = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            warm.add(client(ids + i, version, i, null, 0, null));
        }
        try {
            connector.connectAll(warm);
        } finally {
            Connector.closeAll(warm, true);
        }
    }

    /**
     * Connected = ready and still open; every other client is counted under its failure kind. The
     * latency of a connect is from its start (TCP) to its accepting CONNACK.
     *
     * @return the connected clients
     */
    private static List<SessionClient> countConnects(CaseResult r, List<SessionClient> clients,
        long start) {
        List<SessionClient> open = new ArrayList<>();
        LatencyHistogram latency = new LatencyHistogram();
        long lastConnAck = start;
        long lastReady = start;
        for (SessionClient c : clients) {
            if (c.isOpen()) {
                open.add(c);
                latency.record(c.connAckNanos() - c.connectStartNanos);
                r.connected++;
                lastConnAck = Math.max(lastConnAck, c.connAckNanos());
                lastReady = Math.max(lastReady, c.readyNanos());
            } else {
                r.failures.merge(c.failureKind() == null ? "closed" : c.failureKind(), 1L,
                    Long::sum);
            }
        }
        r.connectSeconds = (lastConnAck - start) / 1e9;
        r.readySeconds = (lastReady - start) / 1e9;
        if (r.connected > 0) {
            r.p50 = latency.percentile(50);
            r.p99 = latency.percentile(99);
            r.max = latency.max();
            r.mean = latency.mean();
        }
        return open;
    }

    /** After --hold: the connections that were open after connecting and are not any more. */
    private static void countDropped(CaseResult r, List<SessionClient> open) {
        Map<String, Long> kinds = new TreeMap<>();
        for (SessionClient c : open) {
            if (!c.channel().isActive()) {
                r.dropped++;
                kinds.merge(c.failureKind() == null ? "closed" : c.failureKind(), 1L, Long::sum);
            }
        }
        if (r.dropped > 0) {
            r.notes.add(r.dropped + " connection(s) closed during --hold: " + kinds);
        }
    }

    // ----------------------------------------------------------------------------- reconnect-storm

    private CaseResult reconnectStorm(ProtocolVersion version) {
        CaseResult r = newResult(Scenario.RECONNECT_STORM, version);
        r.qos = SessionClient.SUBSCRIPTION_QOS.value();
        r.sessionsLost = 0;
        String ids = "cb" + caseId(Scenario.RECONNECT_STORM, version);
        String topics = topicPrefix(Scenario.RECONNECT_STORM, version);
        int m = options.stormMessages();
        List<SessionClient> back = new ArrayList<>();
        try {
            // 1. the sessions: persistent, subscribed to a topic of their own
            List<SessionClient> first = new ArrayList<>(r.clients);
            for (int i = 0; i < r.clients; i++) {
                SessionClient c = client(ids + "s" + i, version, i, topics + i, 0, null);
                c.persistentSession = true;
                first.add(c);
            }
            Memory before = memory(r);
            connector.connectAll(first);
            List<Integer> subscribed = new ArrayList<>();
            Map<String, Long> setupFailures = new TreeMap<>();
            for (SessionClient c : first) {
                if (c.isOpen() && c.grantedQos() == SessionClient.SUBSCRIPTION_QOS.value()) {
                    subscribed.add(c.index());
                } else {
                    String kind = c.isOpen() ? "SUBACK granted QoS " + c.grantedQos()
                        : c.failureKind() == null ? "closed" : c.failureKind();
                    setupFailures.merge(kind, 1L, Long::sum);
                }
            }
            if (!setupFailures.isEmpty()) {
                r.errors.add((r.clients - subscribed.size()) + " of " + r.clients
                    + " sessions could not be set"
                    + " up (QoS 1 subscription): " + setupFailures);
            }
            // 2. away: a DISCONNECT that keeps the session (5.0: no Session Expiry Interval 0 in
            // it)
            Connector.closeAll(first, false);
            if (subscribed.isEmpty()) {
                return r;
            }
            // 3. queue M messages per session
            int[] targets = subscribed.stream().mapToInt(Integer::intValue).toArray();
            publishWhileAway(r, version, ids + "p0", targets, topics);
            perConnection(r, before, memory(r), targets.length);
            if (r.acked < r.sent || r.failed()) {
                return r;
            }
            // 4. the storm: all reconnect at once, resuming their sessions, and take the queued
            // messages
            LongAdder unique = new LongAdder();
            for (int i : targets) {
                SessionClient c = client(ids + "s" + i, version, i, null, m, unique);
                c.persistentSession = true;
                c.resumeSession = true;
                back.add(c);
            }
            r.expected = (long) targets.length * m;
            BrokerProbe.CpuSample cpu0 = cpu();
            long start = connector.connectAll(back);
            BrokerProbe.CpuSample cpu1 = awaitDeliveries(unique, r.expected, back);
            countConnects(r, back, start);
            brokerCpu(r, cpu0, cpu1);
            long last = start;
            for (SessionClient c : back) {
                if (c.isReady() && !c.sessionPresent()) {
                    r.sessionsLost++;
                }
                r.received += c.received();
                r.unique += c.unique();
                r.foreign += c.foreign();
                last = Math.max(last, c.lastReceiveNanos());
            }
            r.deliverSeconds = (last - start) / 1e9;
        } catch (Exception e) {
            r.errors.add(message(e));
        } finally {
            clearSessions(r, version, ids, back);
        }
        return r;
    }

    /**
     * Connects the publisher, publishes M QoS 1 messages to every target's topic, waits for all
     * PUBACKs.
     */
    private void publishWhileAway(CaseResult r, ProtocolVersion version, String id, int[] targets,
        String topics)
        throws InterruptedException {
        StormPublisher pub = new StormPublisher(id, version, options.keepAlive(), targets, topics,
            options.stormMessages(), options.payload(), options.inflight(), options.batch());
        pub.username = options.username();
        pub.password = options.password();
        try {
            connector.connectAll(List.of(pub));
            if (pub.error() != null) {
                r.errors.add("storm publisher: " + pub.error());
                return;
            }
            pub.start();
            long quietLimit = drainNanos();
            long lastChange = System.nanoTime();
            long seen = -1;
            while (pub.acked() < pub.total() && pub.error() == null) {
                long now = System.nanoTime();
                long acked = pub.acked();
                if (acked != seen) {
                    seen = acked;
                    lastChange = now;
                } else if (now - lastChange > quietLimit) {
                    break;
                }
                Thread.sleep(POLL_MILLIS);
            }
            r.sent = pub.sent();
            r.acked = pub.acked();
            if (pub.error() != null) {
                r.errors.add("storm publisher: " + pub.error());
            } else if (r.acked < pub.total()) {
                r.errors.add("storm publisher: " + r.acked + " of " + pub.total()
                    + " QoS 1 messages PUBACKed, then"
                    + " nothing for " + Report.num(options.drainSeconds()) + " s");
            }
        } finally {
            Connector.closeAll(List.of(pub), true);
        }
    }

    /**
     * Until every queued message has arrived once, or nothing has arrived for --drain.
     *
     * @return the broker's CPU when the last delivery was seen (so that the quiet wait is not in
     *     the window), null without --broker-pid
     */
    private BrokerProbe.CpuSample awaitDeliveries(LongAdder unique, long expected,
        List<SessionClient> clients)
        throws InterruptedException, IOException {
        long quietLimit = drainNanos();
        long lastChange = System.nanoTime();
        BrokerProbe.CpuSample atLastChange = cpu();
        long seen = -1;
        while (unique.sum() < expected) {
            long now = System.nanoTime();
            long activity = 0;
            for (SessionClient c : clients) {
                activity += c.received() + c.foreign();
            }
            if (activity != seen) {
                seen = activity;
                lastChange = now;
                atLastChange = cpu();
            } else if (now - lastChange > quietLimit) {
                return atLastChange;
            }
            Thread.sleep(POLL_MILLIS);
        }
        return cpu();
    }

    private long drainNanos() {
        return (long) (Math.max(1, options.drainSeconds()) * 1e9);
    }

    /**
     * Removes the sessions the case made. 5.0: a connected client sends DISCONNECT with Session
     * Expiry Interval 0 (§3.14.2.2.2); for the others a clean connect (Clean Start 1, no expiry)
     * and DISCONNECT. 3.1.1: after closing, every client id connects with cleanSession=true and
     * disconnects, which discards its session (§3.1.2.4 of 3.1.1).
     */
    private void clearSessions(CaseResult r, ProtocolVersion version, String ids,
        List<SessionClient> back) {
        boolean[] ended = new boolean[r.clients];
        if (version.isV5()) {
            for (SessionClient c : back) {
                ended[c.index()] = c.isOpen();
            }
        }
        Connector.closeAll(back, true);
        List<SessionClient> cleaners = new ArrayList<>();
        for (int i = 0; i < r.clients; i++) {
            if (!ended[i]) {
                cleaners.add(client(ids + "s" + i, version, i, null, 0, null));
            }
        }
        try {
            connector.connectAll(cleaners);
        } catch (Exception e) {
            r.notes.add("clearing the sessions: " + message(e));
        }
        long notCleared = 0;
        for (SessionClient c : cleaners) {
            if (!c.isReady()) {
                notCleared++;
            }
        }
        Connector.closeAll(cleaners, true);
        if (notCleared > 0) {
            r.notes.add(notCleared
                + " session(s) could not be cleared: a clean connect failed; they stay on the"
                + " broker" + (version.isV5() ? " until their Session Expiry Interval of "
                + ProtocolVersion.PERSISTENT_SESSION_EXPIRY_SECONDS + " s ends" : ""));
        }
    }

    // ---------------------------------------------------------------------------------- the broker

    private BrokerProbe.CpuSample cpu() throws IOException {
        return probe == null ? null : probe.cpu();
    }

    private void brokerCpu(CaseResult r, BrokerProbe.CpuSample before,
        BrokerProbe.CpuSample after) {
        if (probe == null) {
            return;
        }
        r.brokerCpuSeconds = probe.cpuSeconds(before, after);
        r.brokerWindowSeconds = (after.nanos - before.nanos) / 1e9;
        r.brokerRssKb = probe.rssKb();
    }

    /** The broker's heap after GC.run and its RSS, or null without --broker-pid. */
    private Memory memory(CaseResult r) {
        if (probe == null) {
            return null;
        }
        long heap = -1;
        try {
            heap = probe.heapUsedAfterGc();
        } catch (IOException e) {
            String note = "no broker heap figures: " + e.getMessage();
            if (!r.notes.contains(note)) {
                r.notes.add(note);
            }
        }
        return new Memory(heap, probe.rssKb());
    }

    private static void perConnection(CaseResult r, Memory before, Memory after, long count) {
        if (before == null || after == null || count <= 0) {
            return;
        }
        if (before.heapBytes >= 0 && after.heapBytes >= 0) {
            r.heapPerConnection = (after.heapBytes - before.heapBytes) / (double) count;
        }
        if (before.rssKb >= 0 && after.rssKb >= 0) {
            r.rssPerConnection = (after.rssKb - before.rssKb) * 1024.0 / count;
        }
    }

    private static String message(Exception e) {
        Throwable t = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        if (t instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    /** Broker heap in use after a full GC (-1 when unknown) and RSS in KiB (-1 when unknown). */
    private static final class Memory {
        final long heapBytes;
        final long rssKb;

        Memory(long heapBytes, long rssKb) {
            this.heapBytes = heapBytes;
            this.rssKb = rssKb;
        }
    }
}
