package dev.courier.mqtt.transport.internal.netty;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Counts events that may come in floods (accept failures, refused connections) and says when to
 * log them: the first at once, then at most once per interval, with how many there were since the
 * last report. Thread-safe.
 */
final class LogThrottle {

  /** The shortest time between two reports. */
  static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(60);

  private final LongSupplier nanoClock;
  private final LongAdder total = new LongAdder();
  private final AtomicLong unlogged = new AtomicLong();
  private final AtomicLong lastLogged;

  LogThrottle(LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
    this.lastLogged = new AtomicLong(nanoClock.getAsLong() - INTERVAL_NANOS);
  }

  /**
   * Counts one event.
   *
   * @return how many events to report now (this one included), or 0 while the last report is
   *     less than an interval old
   */
  long count() {
    total.increment();
    unlogged.incrementAndGet();
    long now = nanoClock.getAsLong();
    long last = lastLogged.get();
    if (now - last < INTERVAL_NANOS || !lastLogged.compareAndSet(last, now)) {
      return 0;
    }
    return unlogged.getAndSet(0);
  }

  /** Events since start. */
  long total() {
    return total.sum();
  }

  /** Events not reported yet (they are counted in the next report). */
  long unlogged() {
    return unlogged.get();
  }
}
