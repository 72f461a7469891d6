package dev.courier.mqtt.artemis.internal;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/** A clock that starts at the system's time and moves only when a test advances it. */
final class TestClock implements LongSupplier {

  private final AtomicLong now = new AtomicLong(System.currentTimeMillis());

  @Override
  public long getAsLong() {
    return now.get();
  }

  void advance(long millis) {
    now.addAndGet(millis);
  }
}
