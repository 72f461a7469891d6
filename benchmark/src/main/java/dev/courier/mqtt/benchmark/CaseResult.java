package dev.courier.mqtt.benchmark;

import java.util.ArrayList;
import java.util.List;

/** Figures for one (scenario, QoS, MQTT version) case. Latencies in nanoseconds, rates in messages per second. */
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

    /** Violations of the MQTT delivery guarantee (QoS 1/2 loss, QoS 2 duplicates) or a case that did not run. */
    public boolean violatesGuarantee() {
        if (failed()) {
            return true;
        }
        if (qos >= 1 && lost() > 0) {
            return true;
        }
        return qos == 2 && duplicates() > 0;
    }
}
