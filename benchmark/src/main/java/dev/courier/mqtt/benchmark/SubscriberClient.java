package dev.courier.mqtt.benchmark;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;

import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * Subscriber: SUBSCRIBEs to the case topic after CONNACK, answers PUBACK (QoS 1) or PUBREC then PUBCOMP on
 * PUBREL (QoS 2), and tracks per-publisher sequence bitmaps and the end-to-end latency of measured messages.
 */
final class SubscriberClient extends BenchClient {

    private final String topic;
    private final MqttQoS qos;
    private final SequenceTracker[] trackers;
    private final LatencyHistogram histogram = new LatencyHistogram();
    private final LongAdder uniqueCounter;
    private final LongAdder warmupCounter;
    private final DeliveryWindow e2e;       // end-to-end flow control; null when off

    // event-loop confined
    private final boolean[] awaitingRel = new boolean[65536];
    private static final boolean DEBUG = Boolean.getBoolean("bench.debug");
    private final String[] relInfo = DEBUG ? new String[65536] : null;
    private boolean needFlush;
    private long received;
    private long unique;
    private long foreign;
    private long redelivered;       // QoS 2 PUBLISH repeated for a packet id still awaiting PUBREL (not passed on)
    private long lastReceiveNanos;
    private int grantedQos = -1;

    SubscriberClient(String clientId, ProtocolVersion version, int keepAlive, boolean nettyEncoder, String topic,
                     int qos, int publishers, LongAdder uniqueCounter, LongAdder warmupCounter, DeliveryWindow e2e) {
        super(clientId, version, keepAlive, nettyEncoder);
        this.topic = topic;
        this.qos = MqttQoS.valueOf(qos);
        this.trackers = new SequenceTracker[publishers];
        for (int i = 0; i < publishers; i++) {
            trackers[i] = new SequenceTracker();
        }
        this.uniqueCounter = uniqueCounter;
        this.warmupCounter = warmupCounter;
        this.e2e = e2e;
    }

    @Override
    void onConnected() {
        // 5.0 (§3.8.2, §3.8.3.1): MqttEncoder adds Property Length 0; the options byte is the QoS alone (No Local 0,
        // Retain As Published 0, Retain Handling 0)
        MqttMessage subscribe = MqttMessageBuilders.subscribe()
            .messageId(1)
            .addSubscription(qos, topic)
            .build();
        ctx.writeAndFlush(subscribe, ctx.voidPromise());
    }

    @Override
    void onMessage(MqttMessage m) {
        MqttMessageType type = m.fixedHeader().messageType();
        switch (type) {
            case PUBLISH:
                onPublish((MqttPublishMessage) m);
                break;
            case PUBREL: {
                int id = packetId(m);
                if (failedByReasonCode(ctx, m)) {
                    break;      // 0x92 Packet Identifier not found: the broker lost the QoS 2 state
                }
                if (awaitingRel[id]) {
                    awaitingRel[id] = false;
                    if (e2e != null) {
                        // a QoS 2 delivery counts as done for flow control only when released
                        e2e.delivered();
                    }
                }
                queueAck(MqttMessageType.PUBCOMP, id);
                needFlush = true;
                break;
            }
            case SUBACK: {
                // 3.1.1 return codes 0x00-0x02 and 0x80; 5.0 reason codes 0x00-0x02 granted, >= 0x80 refused (§3.9.3)
                List<Integer> codes = ((MqttSubAckMessage) m).payload().reasonCodes();
                int code = codes.isEmpty() ? 0x80 : codes.get(0);
                if (ReasonCodes.isFailure(code) || code < 0 || code > 2) {
                    fail("SUBSCRIBE to '" + topic + "' refused with " + (version.isV5() ? "reason" : "return")
                        + " code " + ReasonCodes.describe(code));
                    ctx.close();
                } else {
                    grantedQos = code;
                    ready.complete(null);
                }
                break;
            }
            default:
                break;
        }
    }

    private void onPublish(MqttPublishMessage p) {
        long now = System.nanoTime();
        MqttQoS q = p.fixedHeader().qosLevel();
        int id = p.variableHeader().packetId();
        if (q == MqttQoS.AT_LEAST_ONCE) {
            queueAck(MqttMessageType.PUBACK, id);
            needFlush = true;
        } else if (q == MqttQoS.EXACTLY_ONCE) {
            queueAck(MqttMessageType.PUBREC, id);
            needFlush = true;
            if (awaitingRel[id]) {
                // retransmission of a message already accepted under this packet id: must not be delivered again
                redelivered++;
                if (DEBUG && (redelivered <= 5 || redelivered % 500 == 0)) {
                    ByteBuf b = p.payload();
                    System.err.println("DEBUG " + clientId + " #" + redelivered + " repeated id " + id + " dup=" + p.fixedHeader().isDup()
                        + " pub=" + Payload.publisher(b) + " seq=" + Payload.sequence(b) + " phase=" + Payload.phase(b)
                        + " firstSeenAs=" + relInfo[id]);
                }
                return;
            }
            awaitingRel[id] = true;
            if (DEBUG) {
                ByteBuf b = p.payload();
                relInfo[id] = "pub=" + Payload.publisher(b) + " seq=" + Payload.sequence(b) + " phase=" + Payload.phase(b);
            }
        }
        ByteBuf payload = p.payload();
        if (!Payload.isValid(payload)) {
            foreign++;
            return;
        }
        int publisher = Payload.publisher(payload);
        if (e2e != null && q != MqttQoS.EXACTLY_ONCE) {
            e2e.delivered();
        }
        if (Payload.phase(payload) != Payload.PHASE_MEASURE) {
            warmupCounter.increment();
            return;
        }
        if (publisher < 0 || publisher >= trackers.length) {
            foreign++;
            return;
        }
        received++;
        lastReceiveNanos = now;
        if (trackers[publisher].add(Payload.sequence(payload))) {
            unique++;
            uniqueCounter.increment();
            histogram.record(now - Payload.timestamp(payload));
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (needFlush) {
            needFlush = false;
            writeQueuedAcks();
            ctx.flush();
        }
    }

    /** Copy of the statistics; must run on the event loop (see {@link #snapshotAsync()}). */
    private Snapshot snapshot() {
        LatencyHistogram copy = new LatencyHistogram();
        copy.merge(histogram);
        return new Snapshot(received, unique, foreign, redelivered, lastReceiveNanos, grantedQos, copy);
    }

    io.netty.util.concurrent.Future<Snapshot> snapshotAsync() {
        return ctx.executor().submit(this::snapshot);
    }

    /**
     * Describes the gaps against the per-publisher sent counts: "publisher 3: 12 missing, first seq 4711 of 9000".
     * Must run on the event loop.
     */
    private List<String> gaps(long[] sentPerPublisher, int limit) {
        List<String> out = new java.util.ArrayList<>();
        for (int i = 0; i < trackers.length && i < sentPerPublisher.length; i++) {
            long missing = trackers[i].missingBelow(sentPerPublisher[i]);
            if (missing > 0) {
                if (out.size() < limit) {
                    out.add(clientId + " from publisher " + i + ": " + missing + " missing, first seq "
                        + trackers[i].firstMissing(sentPerPublisher[i]) + " of " + sentPerPublisher[i]);
                } else {
                    out.add(null);  // counted, not described
                }
            }
        }
        return out;
    }

    io.netty.util.concurrent.Future<List<String>> gapsAsync(long[] sentPerPublisher, int limit) {
        return ctx.executor().submit(() -> gaps(sentPerPublisher, limit));
    }

    static final class Snapshot {
        final long received;
        final long unique;
        final long foreign;
        final long redelivered;
        final long lastReceiveNanos;
        final int grantedQos;
        final LatencyHistogram histogram;

        Snapshot(long received, long unique, long foreign, long redelivered, long lastReceiveNanos, int grantedQos,
                 LatencyHistogram histogram) {
            this.received = received;
            this.unique = unique;
            this.foreign = foreign;
            this.redelivered = redelivered;
            this.lastReceiveNanos = lastReceiveNanos;
            this.grantedQos = grantedQos;
            this.histogram = histogram;
        }
    }
}
