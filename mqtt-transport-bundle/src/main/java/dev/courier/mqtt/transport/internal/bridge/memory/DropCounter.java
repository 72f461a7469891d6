package dev.courier.mqtt.transport.internal.bridge.memory;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the messages one bounded place (a session queue, a shared group) had to drop, in the
 * bridge's total and its own, and says when a drop is worth a log line: the first one, then every
 * {@value #LOG_EVERY}th, so that a queue that stays full does not flood the log.
 */
final class DropCounter {

  static final int LOG_EVERY = 10_000;

  private final InMemoryBridge bridge;
  private final AtomicLong dropped = new AtomicLong();

  DropCounter(InMemoryBridge bridge) {
    this.bridge = bridge;
  }

  /**
   * Counts one dropped message.
   *
   * @return the drops here so far if this one should be logged, else 0
   */
  long drop() {
    bridge.countDrop();
    return logged(dropped.incrementAndGet());
  }

  /**
   * Whether the {@code drops}th drop of a place is worth a log line, for a place that counts its
   * own (a session queue, in a field of its own rather than a counter object).
   *
   * @return {@code drops} if so, else 0
   */
  static long logged(long drops) {
    return drops == 1 || drops % LOG_EVERY == 0 ? drops : 0;
  }
}
