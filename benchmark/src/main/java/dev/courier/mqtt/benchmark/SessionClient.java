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
 * A client of the connection scenarios ({@link ConnectionCases}): it connects (clean, persistent,
 * or resuming its persistent session), optionally SUBSCRIBEs to a topic of its own at QoS 1, and
 * counts the benchmark messages addressed to it: payloads whose publisher field is its
 * {@code index}, sequence numbers 0 to {@code expected} - 1, acknowledged with PUBACK. It is ready
 * on the accepting CONNACK, or on the SUBACK when it subscribes. Event-loop confined, except the
 * volatile figures the runner reads when the phase is over.
 */
final class SessionClient extends BenchClient {

    /** QoS of the subscription: the storm's queued messages are QoS 1. */
    static final MqttQoS SUBSCRIPTION_QOS = MqttQoS.AT_LEAST_ONCE;

    private final int index;
    private final String topic;
    private final long expected;
    private final LongAdder uniqueCounter;

    // event-loop confined
    private final SequenceTracker seen;
    private boolean needFlush;

    // written on the event loop only, read by the runner
    private volatile long readyNanos;
    private volatile int grantedQos = -1;
    private volatile long received;
    private volatile long unique;
    private volatile long foreign;
    private volatile long lastReceiveNanos;

    /**
     * @param topic         the topic to subscribe to after CONNACK, or null for none
     * @param expected      how many messages (sequence numbers from 0) are addressed to this client
     * @param uniqueCounter counts first deliveries over all clients of a phase; may be null
     */
    SessionClient(String clientId, ProtocolVersion version, int keepAlive, int index, String topic,
        long expected,
                  LongAdder uniqueCounter) {
        super(clientId, version, keepAlive, false);
        this.index = index;
        this.topic = topic;
        this.expected = expected;
        this.uniqueCounter = uniqueCounter;
        this.seen = expected > 0 ? new SequenceTracker((int) Math.min(expected, 1 << 20)) : null;
    }

    @Override
    void onConnected() {
        if (topic == null) {
            becomeReady();
            return;
        }
        MqttMessage subscribe = MqttMessageBuilders.subscribe()
            .messageId(1)
            .addSubscription(SUBSCRIPTION_QOS, topic)
            .build();
        ctx.writeAndFlush(subscribe, ctx.voidPromise());
    }

    private void becomeReady() {
        readyNanos = System.nanoTime();
        ready.complete(null);
    }

    @Override
    void onMessage(MqttMessage m) {
        MqttMessageType type = m.fixedHeader().messageType();
        if (type == MqttMessageType.PUBLISH) {
            onPublish((MqttPublishMessage) m);
        } else if (type == MqttMessageType.SUBACK) {
            List<Integer> codes = ((MqttSubAckMessage) m).payload().reasonCodes();
            int code = codes.isEmpty() ? 0x80 : codes.get(0);
            if (ReasonCodes.isFailure(code) || code < 0 || code > 2) {
                fail("SUBACK " + ReasonCodes.describe(code), "SUBSCRIBE to '" + topic
                    + "' refused with "
                    + (version.isV5() ? "reason" : "return") + " code "
                        + ReasonCodes.describe(code));
                ctx.close();
            } else {
                grantedQos = code;
                becomeReady();
            }
        }
    }

    private void onPublish(MqttPublishMessage p) {
        MqttQoS q = p.fixedHeader().qosLevel();
        if (q == MqttQoS.EXACTLY_ONCE) {
            // the subscription is QoS 1, so the broker must not send QoS 2 [MQTT-3.8.4-6]
            fail("QoS 2 PUBLISH", "QoS 2 PUBLISH on a QoS 1 subscription (packet id "
                + p.variableHeader().packetId() + ")");
            ctx.close();
            return;
        }
        if (q == MqttQoS.AT_LEAST_ONCE) {
            queueAck(MqttMessageType.PUBACK, p.variableHeader().packetId());
            needFlush = true;
        }
        ByteBuf payload = p.payload();
        if (seen == null || !Payload.isValid(payload) || Payload.publisher(payload) != index
            || Payload.sequence(payload) < 0 || Payload.sequence(payload) >= expected) {
            foreign++;
            return;
        }
        received++;
        lastReceiveNanos = System.nanoTime();
        if (seen.add(Payload.sequence(payload))) {
            unique++;
            if (uniqueCounter != null) {
                uniqueCounter.increment();
            }
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

    /**
     * True when the client got to ready (CONNACK accepted, and SUBACK granted when it subscribes).
     */
    boolean isReady() {
        return ready.isDone() && !ready.isCompletedExceptionally();
    }

    /** Ready and its connection still open. */
    boolean isOpen() {
        return isReady() && channel() != null && channel().isActive();
    }

    int index() {
        return index;
    }

    long readyNanos() {
        return readyNanos;
    }

    /** The QoS the SUBACK granted, -1 before a SUBACK. */
    int grantedQos() {
        return grantedQos;
    }

    long received() {
        return received;
    }

    long unique() {
        return unique;
    }

    /** Deliveries that were not benchmark messages for this client. */
    long foreign() {
        return foreign;
    }

    long lastReceiveNanos() {
        return lastReceiveNanos;
    }
}
