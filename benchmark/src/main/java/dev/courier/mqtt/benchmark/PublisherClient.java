package dev.courier.mqtt.benchmark;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.util.concurrent.ScheduledFuture;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Pipelined publisher. QoS 0: writes while the channel is writable (bounded outbound buffer). QoS 1/2: keeps up
 * to {@code window} messages in flight and completes the PUBACK or PUBREC/PUBREL/PUBCOMP flows. Writes are
 * batched and flushed once per batch / per read burst.
 */
final class PublisherClient extends BenchClient {

    private static final byte FREE = 0;
    private static final byte AWAIT_ACK = 1;     // PUBACK (QoS 1) or PUBREC (QoS 2)
    private static final byte AWAIT_COMP = 2;    // PUBREL sent, waiting for PUBCOMP

    private final int index;
    private final String topic;
    private final MqttQoS qos;
    private final int payloadSize;
    private final int window;
    private final int batch;
    private final LongAdder ackCounter;
    private final int subscribers;
    private final MqttFixedHeader publishHeader;
    private final byte[] topicBytes;
    private final int remainingLength;
    /** End-to-end flow control shared by the case, or null when off. */
    private final DeliveryWindow e2e;

    // event-loop confined
    private final byte[] idState = new byte[65536];
    private final boolean[] idMeasured = new boolean[65536];
    private int nextId;
    private int inflight;
    private boolean running;
    private byte phase;
    private long seq;
    private long phaseStartNanos;
    private long deadlineNanos;
    private long maxCount;
    private double ratePerNano;
    private CountDownLatch phaseDone;
    private ScheduledFuture<?> deadlineTask;
    private boolean pumpQueued;
    private boolean needFlush;
    private final Runnable pumpTask = () -> {
        pumpQueued = false;
        pump();
    };
    private boolean e2eWaiting;
    private boolean e2eTimerArmed;
    private final Runnable e2eTimerTask = () -> {
        e2eTimerArmed = false;
        pump();
    };
    /** Runs on a subscriber's thread: hand over to this publisher's event loop. */
    private final Runnable e2eWakeUp = () -> ctx.executor().execute(() -> {
        e2eWaiting = false;
        pump();
    });

    // written on the event loop, read by the runner after phaseDone / polling
    private volatile long measuredSent;
    private volatile long measuredAcked;
    private volatile long warmupSent;
    private volatile long finishNanos;
    private volatile int inflightView;

    PublisherClient(String clientId, int keepAlive, int index, String topic, int qos, int payloadSize,
                    int window, int batch, LongAdder ackCounter, boolean nettyEncoder, DeliveryWindow e2e,
                    int subscribers) {
        super(clientId, keepAlive, nettyEncoder);
        this.index = index;
        this.topic = topic;
        this.qos = MqttQoS.valueOf(qos);
        this.payloadSize = payloadSize;
        this.window = window;
        this.batch = batch;
        this.ackCounter = ackCounter;
        this.publishHeader = new MqttFixedHeader(MqttMessageType.PUBLISH, false, this.qos, false, 0);
        this.e2e = e2e;
        this.subscribers = subscribers;
        this.topicBytes = topic.getBytes(StandardCharsets.UTF_8);
        this.remainingLength = 2 + topicBytes.length + (qos > 0 ? 2 : 0) + payloadSize;
    }

    @Override
    void onConnected() {
        ready.complete(null);
    }

    /**
     * Starts publishing phase {@code ph} (warm-up or measure). Stops at {@code deadline} (System.nanoTime) or
     * after {@code count} messages and then counts {@code done} down. Thread-safe.
     */
    void startPhase(byte ph, long deadline, long count, double ratePerSecond, CountDownLatch done) {
        ctx.executor().execute(() -> {
            if (running) {
                finishPhase();
            }
            phase = ph;
            seq = 0;
            phaseStartNanos = System.nanoTime();
            deadlineNanos = deadline;
            maxCount = count;
            ratePerNano = ratePerSecond / 1e9;
            phaseDone = done;
            if (!ctx.channel().isActive()) {
                done.countDown();
                return;
            }
            running = true;
            long delay = deadline - phaseStartNanos;
            deadlineTask = ctx.executor().schedule(this::pump, Math.max(0, delay), TimeUnit.NANOSECONDS);
            pump();
        });
    }

    private void finishPhase() {
        if (!running) {
            return;
        }
        running = false;
        if (deadlineTask != null) {
            deadlineTask.cancel(false);
            deadlineTask = null;
        }
        if (phase == Payload.PHASE_MEASURE) {
            measuredSent = seq;
        } else {
            warmupSent = seq;
        }
        finishNanos = System.nanoTime();
        phaseDone.countDown();
    }

    /** Writes as many messages as the window / writability / rate allow, up to one batch, then flushes. */
    private void pump() {
        if (!running) {
            flushIfNeeded();
            return;
        }
        long now = System.nanoTime();
        if (now - deadlineNanos >= 0 || seq >= maxCount) {
            finishPhase();
            flushIfNeeded();
            return;
        }
        long budget = batch;
        if (ratePerNano > 0) {
            long allowed = (long) ((now - phaseStartNanos) * ratePerNano) + 1 - seq;
            if (allowed <= 0) {
                long next = phaseStartNanos + (long) (seq / ratePerNano);
                if (!pumpQueued) {
                    pumpQueued = true;
                    // at least 1 ms between wake-ups: paced messages go out in small bursts, one flush each
                    ctx.executor().schedule(pumpTask, Math.max(1_000_000, next - now), TimeUnit.NANOSECONDS);
                }
                flushIfNeeded();
                return;
            }
            budget = Math.min(budget, allowed);
        }
        int written = 0;
        while (written < budget) {
            if (now - deadlineNanos >= 0 || seq >= maxCount) {
                finishPhase();
                break;
            }
            if (!ctx.channel().isWritable()) {
                break;
            }
            if (qos != MqttQoS.AT_MOST_ONCE && inflight >= window) {
                break;
            }
            if (e2e != null && !e2e.hasRoom(now)) {
                awaitDeliveries(now);
                break;
            }
            writePublish(now);
            written++;
            now = System.nanoTime();
        }
        if (written > 0) {
            needFlush = true;
        }
        flushIfNeeded();
        if (running && written == budget && !pumpQueued) {
            // more could be sent: yield to the other channels of this event loop, then continue
            pumpQueued = true;
            ctx.executor().execute(pumpTask);
        }
    }

    /** Blocked by the end-to-end window: ask the subscribers to wake us, with a timer as a safety net. */
    private void awaitDeliveries(long now) {
        if (!e2eWaiting) {
            e2eWaiting = true;
            e2e.await(e2eWakeUp);
            if (e2e.hasRoom(now) && !pumpQueued) {
                // deliveries raced with the registration
                pumpQueued = true;
                ctx.executor().execute(pumpTask);
            }
        }
        if (!e2eTimerArmed) {
            e2eTimerArmed = true;
            ctx.executor().schedule(e2eTimerTask, 5, TimeUnit.MILLISECONDS);
        }
    }

    private void writePublish(long now) {
        int id = 0;
        if (qos != MqttQoS.AT_MOST_ONCE) {
            id = allocateId();
            idState[id] = AWAIT_ACK;
            idMeasured[id] = phase == Payload.PHASE_MEASURE;
            inflight++;
            inflightView = inflight;
        }
        if (!nettyEncoder) {
            ctx.write(encodePublish(id, now), ctx.voidPromise());
        } else {
            ByteBuf payload = ctx.alloc().buffer(payloadSize, payloadSize);
            Payload.write(payload, payloadSize, index, seq, now, phase);
            MqttPublishMessage msg =
                new MqttPublishMessage(publishHeader, new MqttPublishVariableHeader(topic, id), payload);
            ctx.write(msg, ctx.voidPromise());
        }
        seq++;
        if (e2e != null) {
            e2e.published(subscribers);
        }
    }

    /**
     * The whole PUBLISH packet in one buffer (same bytes MqttEncoder would produce, but without re-encoding the
     * topic and without a second buffer per message). A ByteBuf passes through MqttEncoder untouched.
     */
    private ByteBuf encodePublish(int id, long now) {
        int lengthBytes = remainingLength < 128 ? 1 : remainingLength < 16384 ? 2 : remainingLength < 2097152 ? 3 : 4;
        ByteBuf buf = ctx.alloc().ioBuffer(1 + lengthBytes + remainingLength);
        buf.writeByte(0x30 | (qos.value() << 1));
        int len = remainingLength;
        do {
            int digit = len & 0x7f;
            len >>>= 7;
            buf.writeByte(len > 0 ? digit | 0x80 : digit);
        } while (len > 0);
        buf.writeShort(topicBytes.length);
        buf.writeBytes(topicBytes);
        if (qos != MqttQoS.AT_MOST_ONCE) {
            buf.writeShort(id);
        }
        Payload.write(buf, payloadSize, index, seq, now, phase);
        return buf;
    }

    private int allocateId() {
        int id = nextId;
        do {
            id = id >= 65535 ? 1 : id + 1;
        } while (idState[id] != FREE);
        nextId = id;
        return id;
    }

    private void complete(int id) {
        idState[id] = FREE;
        inflight--;
        inflightView = inflight;
        if (idMeasured[id]) {
            idMeasured[id] = false;
            measuredAcked++;
            ackCounter.increment();
        }
    }

    @Override
    void onMessage(MqttMessage m) {
        MqttMessageType type = m.fixedHeader().messageType();
        switch (type) {
            case PUBACK: {
                int id = packetId(m);
                if (qos == MqttQoS.AT_LEAST_ONCE && idState[id] == AWAIT_ACK) {
                    complete(id);
                }
                break;
            }
            case PUBREC: {
                int id = packetId(m);
                if (qos == MqttQoS.EXACTLY_ONCE && idState[id] != FREE) {
                    idState[id] = AWAIT_COMP;
                    queueAck(MqttMessageType.PUBREL, id);
                    needFlush = true;
                }
                break;
            }
            case PUBCOMP: {
                int id = packetId(m);
                if (idState[id] == AWAIT_COMP) {
                    complete(id);
                }
                break;
            }
            default:
                // publishers subscribe to nothing; ignore anything else
                break;
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        pump();
        flushIfNeeded();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            pump();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    void onInactive() {
        if (running) {
            finishPhase();
        }
    }

    private void flushIfNeeded() {
        if (needFlush) {
            needFlush = false;
            writeQueuedAcks();
            ctx.flush();
        }
    }

    long measuredSent() {
        return measuredSent;
    }

    long measuredAcked() {
        return measuredAcked;
    }

    long warmupSent() {
        return warmupSent;
    }

    long finishNanos() {
        return finishNanos;
    }

    int inflight() {
        return inflightView;
    }
}
