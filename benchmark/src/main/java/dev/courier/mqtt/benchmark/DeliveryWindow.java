package dev.courier.mqtt.benchmark;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * End-to-end flow control shared by all clients of a case: bounds the number of deliveries that have been
 * published but not yet received by the subscribers (a message for 100 subscribers counts 100; a QoS 2
 * delivery counts until the broker's PUBREL, so the broker's unacknowledged QoS 2 flows are bounded too). Publishers add
 * when they write, subscribers subtract when a message arrives. Because the generator sees both ends, this keeps
 * the broker's queues bounded without relying on broker acknowledgements (which brokers send on receipt, not on
 * delivery).
 *
 * <p>Deliveries that never come (QoS 0 drops, real losses) would jam the window, so when it is full and nothing
 * arrives for {@link #STALL_NANOS} the outstanding count is written off; loss accounting is unaffected.
 */
final class DeliveryWindow {

    static final long STALL_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private final long limit;
    private final long resumeLevel;
    private final AtomicLong outstanding = new AtomicLong();
    private final ConcurrentLinkedQueue<Runnable> waiters = new ConcurrentLinkedQueue<>();
    private final AtomicLong writeOffs = new AtomicLong();
    private final LongAdder deliveredTotal = new LongAdder();   // monotonic, to tell progress from a stall
    // racy progress bookkeeping: only used to detect a stall, exactness is not needed
    private volatile long lastSeen = Long.MIN_VALUE;
    private volatile long lastProgressNanos;

    DeliveryWindow(long limit) {
        this.limit = limit;
        this.resumeLevel = limit - Math.max(1, limit / 4);
    }

    /** True when a publisher may write another message now. */
    boolean hasRoom(long now) {
        long o = outstanding.get();
        if (o < limit) {
            return true;
        }
        long d = deliveredTotal.sum();
        if (d != lastSeen) {
            lastSeen = d;
            lastProgressNanos = now;
            return false;
        }
        if (now - lastProgressNanos > STALL_NANOS) {
            outstanding.addAndGet(-o);
            lastProgressNanos = now;
            writeOffs.incrementAndGet();
            return true;
        }
        return false;
    }

    void published(int deliveries) {
        outstanding.addAndGet(deliveries);
    }

    /**
     * Registers a wake-up for a blocked publisher; it runs (on the delivering thread, so it must only hand off)
     * once the window has drained to 3/4 of its size. The caller re-checks {@link #hasRoom} after registering.
     */
    void await(Runnable wakeUp) {
        waiters.add(wakeUp);
    }

    void delivered() {
        deliveredTotal.increment();
        long o = outstanding.decrementAndGet();
        if (o <= resumeLevel && !waiters.isEmpty()) {
            Runnable r;
            while ((r = waiters.poll()) != null) {
                r.run();
            }
        }
    }

    /** How often a full, stalled window was written off. */
    long writeOffs() {
        return writeOffs.get();
    }

    long outstanding() {
        return outstanding.get();
    }
}
