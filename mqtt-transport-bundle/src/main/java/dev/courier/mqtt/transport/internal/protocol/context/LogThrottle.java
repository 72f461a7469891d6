package dev.courier.mqtt.transport.internal.protocol.context;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Counts events that may come in floods (accept failures, refused connections, clients hitting a
 * limit) and says when to log them: the first at once, then at most once per interval, with how
 * many there were since the last report. Shared by the network layer and the engine. Thread-safe.
 */
public final class LogThrottle {

  /** The shortest time between two reports. */
  public static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(60);

  private final LongSupplier nanoClock;
  private final LongAdder total = new LongAdder();
  private final AtomicLong unlogged = new AtomicLong();
  private final AtomicLong lastLogged;

  /** @param nanoClock the time in nanoseconds, as {@link System#nanoTime()} */
  public LogThrottle(LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
    this.lastLogged = new AtomicLong(nanoClock.getAsLong() - INTERVAL_NANOS);
  }

  /**
   * Counts one event.
   *
   * @return how many events to report now (this one included), or 0 while the last report is
   *     less than an interval old
   */
  public long count() {
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
  public long total() {
    return total.sum();
  }

  /** Events not reported yet (they are counted in the next report). */
  public long unlogged() {
    return unlogged.get();
  }
}
