package dev.courier.mqtt.artemis.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The messages routed to a clean session's {@link DirectBinding}s, not yet polled, in the order
 * they were routed; bounded by the session's queue bounds ({@link ArtemisSession#room}) as they
 * arrive, since there is no queue behind them to keep the rest.
 *
 * <p>Thread-safe: filled on Artemis's routing threads, drained on the connection's thread.
 */
final class DirectBuffer {

  /** Change {@link #count} and {@link #bytes} without two atomic objects per session. */
  private static final VarHandle COUNT;
  private static final VarHandle BYTES;
  private static final VarHandle DRAINED;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      COUNT = lookup.findVarHandle(DirectBuffer.class, "count", int.class);
      BYTES = lookup.findVarHandle(DirectBuffer.class, "bytes", long.class);
      DRAINED = lookup.findVarHandle(DirectBuffer.class, "drained", CompletableFuture.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final ConcurrentLinkedQueue<DeliveryBuffer.Taken> taken = new ConcurrentLinkedQueue<>();
  private volatile int count;
  private volatile long bytes;
  /** Completed when the buffer drains after it was congested ({@link Congestion}); else null. */
  private volatile CompletableFuture<Void> drained;

  int count() {
    return count;
  }

  long bytes() {
    return bytes;
  }

  void add(DeliveryBuffer.Taken message) {
    COUNT.getAndAdd(this, 1);
    BYTES.getAndAdd(this, (long) message.size());
    taken.add(message);
  }

  /** The next message, or null. */
  DeliveryBuffer.Taken poll() {
    DeliveryBuffer.Taken next = taken.poll();
    if (next != null) {
      COUNT.getAndAdd(this, -1);
      BYTES.getAndAdd(this, (long) -next.size());
    }
    return next;
  }

  /**
   * After a message was added: holds its publisher back ({@link Congestion#hold}) if the buffer
   * holds more than half of either bound (routing thread).
   */
  void holdIfCongested(int maxQueued, long maxBytes) {
    if (count <= maxQueued / 2 && bytes <= maxBytes / 2) {
      return;
    }
    @SuppressWarnings("unchecked")
    CompletableFuture<Void> current = (CompletableFuture<Void>) DRAINED.getVolatile(this);
    if (current == null || current.isDone()) {
      CompletableFuture<Void> fresh = Congestion.stage();
      current = DRAINED.compareAndSet(this, current, fresh) ? fresh
          : (CompletableFuture<Void>) DRAINED.getVolatile(this);
      if (current == null) {
        return; // drained in between
      }
    }
    Congestion.hold(current);
  }

  /** After a poll: lets held-back publishers go once at most a quarter of both bounds is left. */
  void releaseIfDrained(int maxQueued, long maxBytes) {
    if (drained != null && count <= maxQueued / 4 && bytes <= maxBytes / 4) {
      release();
    }
  }

  private void release() {
    @SuppressWarnings("unchecked")
    CompletableFuture<Void> current = (CompletableFuture<Void>) DRAINED.getAndSet(this, null);
    if (current != null) {
      current.complete(null);
    }
  }

  boolean isEmpty() {
    return taken.isEmpty();
  }

  /** Forgets everything (the session ends). */
  void clear() {
    while (poll() != null) {
      // counted down one by one, so that a concurrent add keeps its count
    }
    release(); // nobody is left to drain it
  }
}
