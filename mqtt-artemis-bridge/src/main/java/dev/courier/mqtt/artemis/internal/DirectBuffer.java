package dev.courier.mqtt.artemis.internal;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The messages routed to a clean session's {@link DirectBinding}s, not yet polled, in the order
 * they were routed; bounded by the session's queue bounds ({@link ArtemisSession#room}) as they
 * arrive, since there is no queue behind them to keep the rest.
 *
 * <p>Thread-safe: filled on Artemis's routing threads, drained on the connection's thread.
 */
final class DirectBuffer {

  private final ConcurrentLinkedQueue<DeliveryBuffer.Taken> taken = new ConcurrentLinkedQueue<>();
  private final AtomicInteger count = new AtomicInteger();
  private final AtomicLong bytes = new AtomicLong();

  int count() {
    return count.get();
  }

  long bytes() {
    return bytes.get();
  }

  void add(DeliveryBuffer.Taken message) {
    count.incrementAndGet();
    bytes.addAndGet(message.size());
    taken.add(message);
  }

  /** The next message, or null. */
  DeliveryBuffer.Taken poll() {
    DeliveryBuffer.Taken next = taken.poll();
    if (next != null) {
      count.decrementAndGet();
      bytes.addAndGet(-next.size());
    }
    return next;
  }

  boolean isEmpty() {
    return taken.isEmpty();
  }

  /** Forgets everything (the session ends). */
  void clear() {
    while (poll() != null) {
      // counted down one by one, so that a concurrent add keeps its count
    }
  }
}
