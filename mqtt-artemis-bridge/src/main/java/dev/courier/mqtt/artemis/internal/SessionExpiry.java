package dev.courier.mqtt.artemis.internal;

import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * When detached persistent sessions expire (MQTT 5.0 section 3.1.2.11.2): a set of deadlines in
 * time order, and a sweep on a scheduled executor that hands each session whose deadline passed to
 * the bridge. No thread of its own and no busy loop: the sweep runs every {@code periodMillis}
 * and looks only at the deadlines that are due.
 *
 * <p>A deadline is a hint, not the truth: the bridge checks the stored session again before it
 * deletes anything (the session may have been resumed, or detached again with a later deadline),
 * so a stale deadline is harmless. Thread-safe.
 */
final class SessionExpiry {

  /** One client's deadline, epoch ms. */
  private record Due(long at, String clientId) implements Comparable<Due> {
    @Override
    public int compareTo(Due other) {
      int byTime = Long.compare(at, other.at);
      return byTime != 0 ? byTime : clientId.compareTo(other.clientId);
    }
  }

  private final ConcurrentSkipListSet<Due> deadlines = new ConcurrentSkipListSet<>();
  private final LongSupplier clock;
  private final Consumer<String> expire;
  private volatile ScheduledFuture<?> sweep;

  /**
   * @param clock epoch milliseconds
   * @param expire called from the sweep with each client whose deadline passed; must not block
   */
  SessionExpiry(LongSupplier clock, Consumer<String> expire) {
    this.clock = clock;
    this.expire = expire;
  }

  /** Starts sweeping on {@code pool} every {@code periodMillis}. */
  void start(ScheduledExecutorService pool, long periodMillis) {
    sweep = pool.scheduleWithFixedDelay(this::sweep, periodMillis, periodMillis,
        TimeUnit.MILLISECONDS);
  }

  /** Stops sweeping; the deadlines are journaled with the sessions, not here. */
  void stop() {
    ScheduledFuture<?> running = sweep;
    if (running != null) {
      running.cancel(false);
    }
    deadlines.clear();
  }

  /** Notes a deadline; {@link Long#MAX_VALUE} (never) is not noted. */
  void schedule(String clientId, long at) {
    if (at != Long.MAX_VALUE) {
      deadlines.add(new Due(at, clientId));
    }
  }

  /** Forgets a deadline noted before (the session was resumed). */
  void unschedule(String clientId, long at) {
    if (at != Long.MAX_VALUE) {
      deadlines.remove(new Due(at, clientId));
    }
  }

  /** Hands every client whose deadline passed to the bridge. */
  void sweep() {
    long now = clock.getAsLong();
    for (Due first; (first = deadlines.pollFirst()) != null; ) {
      if (first.at() > now) {
        deadlines.add(first); // not yet: put back, and so is everything after it
        return;
      }
      expire.accept(first.clientId());
    }
  }

  /** The number of deadlines noted (for tests). */
  int size() {
    return deadlines.size();
  }
}
