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

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Pipelined publisher. QoS 0: writes while the channel is writable (bounded outbound buffer). QoS 1/2: keeps up
 * to {@code min(window, the server's Receive Maximum)} messages in flight ({@link SendQuota}) and completes the
 * PUBACK or PUBREC/PUBREL/PUBCOMP flows. On the fast path the PUBLISHes of one pump share a pooled buffer (at
 * most {@link #GATHER_BYTES} each); writes are flushed once per batch / per read burst.
 */
final class PublisherClient extends BenchClient {

    private static final byte FREE = 0;
    private static final byte AWAIT_ACK = 1;     // PUBACK (QoS 1) or PUBREC (QoS 2)
    private static final byte AWAIT_COMP = 2;    // PUBREL sent, waiting for PUBCOMP
    /** Size of the buffer the PUBLISHes of one pump are gathered in, unless one packet is larger. */
    static final int GATHER_BYTES = 64 * 1024;

    private final int index;
    private final String topic;
    private final MqttQoS qos;
    private final int payloadSize;
    private final SendQuota quota;
    private final int batch;
    private final LongAdder ackCounter;
    private final int subscribers;
    private final MqttFixedHeader publishHeader;
    private final FastPathEncoder encoder;
    /** End-to-end flow control shared by the case, or null when off. */
    private final DeliveryWindow e2e;

    // event-loop confined
    private final byte[] idState = new byte[65536];
    private final boolean[] idMeasured = new boolean[65536];
    private int nextId;
    private ByteBuf gathered;
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
    private volatile int peakInflight;

    PublisherClient(String clientId, ProtocolVersion version, int keepAlive, int index, String topic, int qos,
                    int payloadSize, int window, int batch, LongAdder ackCounter, boolean nettyEncoder,
                    DeliveryWindow e2e, int subscribers) {
        super(clientId, version, keepAlive, nettyEncoder);
        this.index = index;
        this.topic = topic;
        this.qos = MqttQoS.valueOf(qos);
        this.payloadSize = payloadSize;
        this.quota = new SendQuota(window);
        this.batch = batch;
        this.ackCounter = ackCounter;
        this.publishHeader = new MqttFixedHeader(MqttMessageType.PUBLISH, false, this.qos, false, 0);
        this.e2e = e2e;
        this.subscribers = subscribers;
        this.encoder = new FastPathEncoder(version, topic, qos, payloadSize);
    }

    @Override
    void onConnected() {
        String refusal = limits.refusal(qos.value(), encoder.packetSize());
        if (refusal != null) {
            fail(refusal);
            ctx.close();
            return;
        }
        quota.serverReceiveMaximum(limits.receiveMaximum);
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
            if (qos != MqttQoS.AT_MOST_ONCE && !quota.hasRoom()) {
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
        writeGathered();
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
            quota.tryAcquire();
            id = allocateId();
            idState[id] = AWAIT_ACK;
            idMeasured[id] = phase == Payload.PHASE_MEASURE;
            int inUse = quota.inUse();
            inflightView = inUse;
            if (inUse > peakInflight) {
                peakInflight = inUse;
            }
        }
        if (!nettyEncoder) {
            encoder.writePublish(gatherBuffer(), id, index, seq, now, phase);
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

    /** The buffer the next PUBLISH goes into: the current one if it has room, else a new one. */
    private ByteBuf gatherBuffer() {
        int size = encoder.packetSize();
        if (gathered != null && gathered.writableBytes() < size) {
            writeGathered();
        }
        if (gathered == null) {
            gathered = ctx.alloc().ioBuffer(Math.max(size, GATHER_BYTES / size * size));
        }
        return gathered;
    }

    /** Writes (does not flush) the PUBLISHes gathered so far. */
    private void writeGathered() {
        ByteBuf buf = gathered;
        if (buf != null) {
            gathered = null;
            ctx.write(buf, ctx.voidPromise());
        }
    }

    private int allocateId() {
        int id = nextId;
        do {
            id = id >= 65535 ? 1 : id + 1;
        } while (idState[id] != FREE);
        nextId = id;
        return id;
    }

    /** Ends the flow of {@code id} and gives its send quota back; only a successful flow counts as acked. */
    private void complete(int id, boolean success) {
        idState[id] = FREE;
        quota.release();
        inflightView = quota.inUse();
        if (idMeasured[id] && success) {
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
                    complete(id, !failedByReasonCode(ctx, m));
                }
                break;
            }
            case PUBREC: {
                int id = packetId(m);
                if (qos != MqttQoS.EXACTLY_ONCE || idState[id] == FREE) {
                    break;
                }
                if (idState[id] == AWAIT_ACK && failedByReasonCode(ctx, m)) {
                    complete(id, false);    // a PUBREC >= 0x80 ends the flow (§4.3.3)
                    break;
                }
                idState[id] = AWAIT_COMP;   // a repeated PUBREC gets its PUBREL again
                queueAck(MqttMessageType.PUBREL, id);
                needFlush = true;
                break;
            }
            case PUBCOMP: {
                int id = packetId(m);
                if (idState[id] == AWAIT_COMP) {
                    complete(id, !failedByReasonCode(ctx, m));
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
        if (gathered != null) {
            gathered.release();
            gathered = null;
        }
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

    /** The most QoS 1/2 PUBLISHes this publisher has had unacknowledged at once. */
    int peakInflight() {
        return peakInflight;
    }
}
