package dev.courier.mqtt.artemis.internal;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Makes a SUBSCRIBE the bridge has received count for every publication it receives afterwards,
 * from any client.
 *
 * <p>A subscription's queue is created on the bridge's executor (Artemis may block), while a
 * publication is routed at once on its client's thread; without this, a publication that arrives
 * just after another client's SUBSCRIBE would be routed before that subscription's queue is bound
 * and miss it, although the server had the SUBSCRIBE first. So each subscription change takes a
 * ticket when the bridge gets it, and a publication routed while changes are in flight waits for
 * those that began before it (not for later ones, so a stream of SUBSCRIBEs cannot starve it).
 * With no change in flight a publication pays one read of an empty set.
 *
 * <p>Thread-safe; {@link #begin} and {@link #end} from any thread.
 */
final class SubscriptionFence {

  /** A publication's ticket when no subscription change is in flight: it waits for nothing. */
  static final long OPEN = 0;

  private final AtomicLong started = new AtomicLong();
  private final ConcurrentSkipListSet<Long> inFlight = new ConcurrentSkipListSet<>();
  private final Queue<Waiter> waiters = new ConcurrentLinkedQueue<>();

  /** A subscription change arrived: publications from now on wait for it; returns its ticket. */
  long begin() {
    long ticket = started.incrementAndGet();
    inFlight.add(ticket);
    return ticket;
  }

  /** The change with {@code ticket} is in effect (or failed): wakes what waited for it. */
  void end(long ticket) {
    inFlight.remove(ticket);
    if (waiters.isEmpty()) {
      return;
    }
    for (Waiter waiter : waiters) {
      if (passed(waiter.ticket) && waiters.remove(waiter)) {
        waiter.then.run();
      }
    }
  }

  /** The ticket of a publication arriving now: {@link #OPEN}, or the changes it must wait for. */
  long ticket() {
    return inFlight.isEmpty() ? OPEN : started.get();
  }

  /** Whether every change that began before the publication with {@code ticket} is in effect. */
  boolean passed(long ticket) {
    if (ticket == OPEN) {
      return true;
    }
    Long oldest = inFlight.ceiling(OPEN); // tickets start at 1: the oldest in flight, or null
    return oldest == null || oldest > ticket;
  }

  /**
   * Whether the publication with {@code ticket} may go now; if not, {@code then} runs (once, on the
   * thread that ends the last change it waits for) when it may.
   */
  boolean passedOrLater(long ticket, Runnable then) {
    if (passed(ticket)) {
      return true;
    }
    Waiter waiter = new Waiter(ticket, then);
    waiters.add(waiter);
    // The change may have ended between the check and the add: then nobody would wake it.
    return passed(ticket) && waiters.remove(waiter);
  }

  /** A publication waiting (identity matters: two may wait with one ticket). */
  private static final class Waiter {
    final long ticket;
    final Runnable then;

    Waiter(long ticket, Runnable then) {
      this.ticket = ticket;
      this.then = then;
    }
  }
}
