package dev.courier.mqtt.auth.internal.login;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** A {@link DelayScheduler} driven by the test: tasks run only when time is advanced. */
final class ManualScheduler implements DelayScheduler {

  private record Entry(long due, long order, Runnable task, boolean[] cancelled) {}

  private final List<Entry> entries = new ArrayList<>();
  private long now;
  private long order;

  @Override
  public synchronized Cancellable schedule(Runnable task, long delayMillis) {
    boolean[] cancelled = {false};
    entries.add(new Entry(now + Math.max(0, delayMillis), order++, task, cancelled));
    return () -> cancelled[0] = true;
  }

  /** Moves the clock and runs what fell due, in order. */
  void advance(long millis) {
    long target;
    synchronized (this) {
      target = now + millis;
    }
    while (true) {
      Entry next;
      synchronized (this) {
        next = entries.stream().filter(e -> e.due() <= target)
            .min(Comparator.comparingLong(Entry::due).thenComparingLong(Entry::order))
            .orElse(null);
        if (next == null) {
          now = target;
          return;
        }
        entries.remove(next);
        now = next.due();
      }
      if (!next.cancelled()[0]) {
        next.task().run();
      }
    }
  }

  /** Scheduled tasks neither run nor cancelled. */
  synchronized long pending() {
    return entries.stream().filter(e -> !e.cancelled()[0]).count();
  }
}
