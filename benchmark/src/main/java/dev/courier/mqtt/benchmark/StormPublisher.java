package dev.courier.mqtt.benchmark;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;

import java.nio.charset.StandardCharsets;

/**
 * The reconnect-storm publisher: {@code perClient} QoS 1 messages to the topic of each client in
 * {@code clients}, message 0 to every client first, then message 1, and so on. The payload's
 * publisher field is the addressed client's index and its sequence number the message number, so
 * each client can tell its own messages and count them once. At most
 * {@code min(--inflight, Receive Maximum)} PUBLISHes are unacknowledged. This phase fills the
 * offline sessions and is not measured, so it goes through MqttEncoder. Event-loop confined, except
 * {@link #start()} and the volatile counters.
 */
final class StormPublisher extends BenchClient {

    private static final MqttFixedHeader QOS1_PUBLISH =
        new MqttFixedHeader(MqttMessageType.PUBLISH, false, MqttQoS.AT_LEAST_ONCE, false, 0);

    private final int[] clients;
    private final String topicPrefix;
    private final int perClient;
    private final int payloadSize;
    private final SendQuota quota;
    private final int batch;

    // event-loop confined
    private final boolean[] awaitingAck = new boolean[65536];
    private int nextId;
    private long next;              // index of the next message: round * clients.length + client
    private boolean running;

    private volatile long sent;
    private volatile long acked;

    /**
     * @param clients     indexes of the clients to publish to; client i's topic is
     *     {@code topicPrefix + i}
     * @param perClient   messages per client
     */
    StormPublisher(String clientId, ProtocolVersion version, int keepAlive, int[] clients,
        String topicPrefix,
                   int perClient, int payloadSize, int window, int batch) {
        super(clientId, version, keepAlive, true);
        this.clients = clients.clone();
        this.topicPrefix = topicPrefix;
        this.perClient = perClient;
        this.payloadSize = payloadSize;
        this.quota = new SendQuota(window);
        this.batch = batch;
    }

    /** Messages to publish in all. */
    long total() {
        return (long) clients.length * perClient;
    }

    @Override
    void onConnected() {
        int topicBytes = (topicPrefix + Integer.MAX_VALUE).getBytes(StandardCharsets.UTF_8).length;
        // the largest PUBLISH: fixed header (at most 5), topic, packet id, 5.0 property length,
        // payload
        String refusal = limits.refusal(1, 5 + 2 + topicBytes + 2 + 1 + payloadSize);
        if (refusal != null) {
            fail(refusal);
            ctx.close();
            return;
        }
        quota.serverReceiveMaximum(limits.receiveMaximum);
        ready.complete(null);
    }

    /** Starts publishing. Thread-safe. */
    void start() {
        ctx.executor().execute(() -> {
            running = true;
            pump();
        });
    }

    private void pump() {
        if (!running) {
            return;
        }
        int written = 0;
        long total = total();
        while (next < total && written < batch && quota.hasRoom() && ctx.channel().isWritable()) {
            int client = clients[(int) (next % clients.length)];
            long seq = next / clients.length;
            quota.tryAcquire();
            int id = allocateId();
            awaitingAck[id] = true;
            ByteBuf payload = ctx.alloc().buffer(payloadSize, payloadSize);
            Payload.write(payload, payloadSize, client, seq, System.nanoTime(),
                Payload.PHASE_MEASURE);
            ctx.write(new MqttPublishMessage(QOS1_PUBLISH,
                new MqttPublishVariableHeader(topicPrefix + client, id),
                payload), ctx.voidPromise());
            next++;
            written++;
        }
        if (written > 0) {
            sent = next;
            ctx.flush();
            if (written == batch && next < total) {
                // yield to other channels of this event loop, then continue
                ctx.executor().execute(this::pump);
            }
        }
    }

    private int allocateId() {
        int id = nextId;
        do {
            id = id >= 65535 ? 1 : id + 1;
        } while (awaitingAck[id]);
        nextId = id;
        return id;
    }

    @Override
    void onMessage(MqttMessage m) {
        if (m.fixedHeader().messageType() != MqttMessageType.PUBACK) {
            return;
        }
        int id = packetId(m);
        if (!awaitingAck[id]) {
            return;
        }
        awaitingAck[id] = false;
        quota.release();
        if (!failedByReasonCode(ctx, m)) {
            acked++;
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        pump();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            pump();
        }
        ctx.fireChannelWritabilityChanged();
    }

    long sent() {
        return sent;
    }

    /** PUBACKs with a success code (0x00, or 0x10 No matching subscribers). */
    long acked() {
        return acked;
    }
}
