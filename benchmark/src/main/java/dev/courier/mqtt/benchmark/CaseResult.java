package dev.courier.mqtt.benchmark;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Figures for one (scenario, QoS, MQTT version) case; the connection scenarios have no QoS of their
 * own ({@code qos} is 1 for reconnect-storm and for connections with --subscribe, else -1) and fill
 * the connection fields. Latencies in nanoseconds, rates in messages per second.
 */
public final class CaseResult {

    Scenario scenario;
    int qos;
    ProtocolVersion mqtt = ProtocolVersion.V3_1_1;
    int publishers;
    int subscribers;
    long sent;              // measured messages written by all publishers
    long acked;             // PUBACK (QoS 1) / PUBCOMP (QoS 2) received for measured messages; -1 for QoS 0
    long expected;          // sent x subscribers
    long received;          // measured messages delivered to subscribers, duplicates included
    long unique;            // distinct (publisher, sequence) pairs per subscriber, summed
    long foreign;           // deliveries that were not benchmark payloads of this case
    long redelivered;       // QoS 2 PUBLISH retransmissions for a packet id awaiting PUBREL (not duplicates)
    double publishSeconds;  // measure start -> last publisher finished
    double receiveSeconds;  // measure start -> last measured delivery
    double drainSeconds;    // time waited after publishing ended
    long p50;
    long p99;
    long max;
    double mean;
    int grantedQosMin = -1;
    long windowWriteOffs;   // times the end-to-end window stalled and was written off
    final List<String> errors = new ArrayList<>();
    final List<String> gaps = new ArrayList<>();   // examples of where QoS 1/2 messages went missing
    int gapPairs;                                  // (subscriber, publisher) pairs with missing messages
    int peakInflight;       // most QoS 1/2 PUBLISHes any one publisher had unacknowledged
    /** Remarks that are not errors, e.g. why a figure is missing. */
    final List<String> notes = new ArrayList<>();

    // the broker process (--broker-pid): CPU over the measuring window, RSS at its end;
    // NaN / -1 when unknown
    double brokerCpuSeconds = Double.NaN;
    double brokerWindowSeconds;
    long brokerRssKb = -1;

    // connection scenarios
    int clients;            // connections asked for
    /** CONNACK accepted (and SUBACK granted when subscribing), still open afterwards. */
    long connected;
    double connectSeconds;  // first connect started -> last accepting CONNACK
    /** First connect started -> last client ready (CONNACK, or SUBACK with --subscribe). */
    double readySeconds;
    /** Connections that failed, by kind ("CONNACK 0x05 Not authorized", "timeout", ...). */
    final Map<String, Long> failures = new TreeMap<>();
    long dropped;           // connections: closed by the broker during --hold
    /** Reconnect-storm: CONNACKs without Session Present; -1 for the other scenarios. */
    long sessionsLost = -1;
    double deliverSeconds;  // reconnect-storm: reconnect start -> last queued message received
    /** Bytes of broker heap (after GC.run) per connection or session. */
    double heapPerConnection = Double.NaN;
    double rssPerConnection = Double.NaN;   // bytes of broker RSS per connection or session

    public Scenario scenario() { return scenario; }
    public int qos() { return qos; }
    public ProtocolVersion mqtt() { return mqtt; }
    public long sent() { return sent; }
    public long acked() { return acked; }
    public long received() { return received; }
    public long expected() { return expected; }

    public long lost() {
        return Math.max(0, expected - unique);
    }

    public long duplicates() {
        return received - unique;
    }

    public double publishRate() {
        return publishSeconds > 0 ? sent / publishSeconds : 0;
    }

    public double receiveRate() {
        return receiveSeconds > 0 ? received / receiveSeconds : 0;
    }

    public boolean failed() {
        return !errors.isEmpty();
    }

    /** Connections of a connection scenario that did not get to ready. */
    public long failedConnections() {
        long n = 0;
        for (long v : failures.values()) {
            n += v;
        }
        return n;
    }

    /** Connections (or reconnections) per second until the last accepting CONNACK. */
    public double connectRate() {
        return connectSeconds > 0 ? connected / connectSeconds : 0;
    }

    boolean brokerMeasured() {
        return !Double.isNaN(brokerCpuSeconds) && brokerWindowSeconds > 0;
    }

    /**
     * The broker's CPU over the measuring window in % of one core (200 = two cores busy); NaN if
     * unknown.
     */
    public double brokerCpuPercent() {
        return brokerMeasured() ? 100 * brokerCpuSeconds / brokerWindowSeconds : Double.NaN;
    }

    /**
     * Broker CPU microseconds per received message in the window; NaN if unknown or nothing was
     * received.
     */
    public double brokerMicrosPerMessage() {
        return brokerMeasured() && received > 0 ? brokerCpuSeconds * 1e6 / received : Double.NaN;
    }

    /**
     * Broker CPU microseconds per connection made in the window (connection scenarios); NaN if
     * unknown.
     */
    public double brokerMicrosPerConnection() {
        return brokerMeasured() && connected > 0 && !scenario.throughput()
            ? brokerCpuSeconds * 1e6 / connected : Double.NaN;
    }

    /**
     * Violations of the MQTT delivery guarantee (QoS 1/2 loss, QoS 2 duplicates), a case that did
     * not run, and for the connection scenarios: a connection that failed or was dropped, a session
     * or a queued message lost. Duplicates of QoS 1 messages are allowed.
     */
    public boolean violatesGuarantee() {
        if (failed()) {
            return true;
        }
        if (scenario == Scenario.CONNECTIONS) {
            return failedConnections() > 0 || dropped > 0;
        }
        if (scenario == Scenario.RECONNECT_STORM) {
            return failedConnections() > 0 || sessionsLost > 0 || lost() > 0;
        }
        if (qos >= 1 && lost() > 0) {
            return true;
        }
        return qos == 2 && duplicates() > 0;
    }
}
