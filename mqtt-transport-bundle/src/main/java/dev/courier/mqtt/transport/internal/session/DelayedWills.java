package dev.courier.mqtt.transport.internal.session;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Will messages waiting out their Will Delay Interval (MQTT 5.0 section 3.1.3.2.2): published when
 * the delay has passed, unless a new connection to the session comes first [MQTT-3.1.3-9]. One
 * timer thread for all of them, started on demand and gone when idle; the publication itself runs
 * on the closed connection's event loop (the {@code publish} task hops there).
 *
 * <p>Pending wills are not persisted: they are lost if the transport stops before they are due.
 */
public final class DelayedWills {

  private static final AtomicInteger TIMERS = new AtomicInteger();

  private final ConcurrentHashMap<String, Pending> pending = new ConcurrentHashMap<>();
  private final ScheduledThreadPoolExecutor timer;

  public DelayedWills() {
    timer = new ScheduledThreadPoolExecutor(1, task -> {
      Thread thread = new Thread(task, "courier-mqtt-will-delay-" + TIMERS.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
    timer.setRemoveOnCancelPolicy(true);
    timer.setKeepAliveTime(10, TimeUnit.SECONDS);
    timer.allowCoreThreadTimeOut(true);
  }

  /**
   * Publishes {@code publish} after {@code delaySeconds} unless {@link #take} claims it first. A
   * will still pending for the same client id is replaced (its session was resumed meanwhile, so
   * it must not be sent).
   */
  public void schedule(String clientId, long delaySeconds, Runnable publish) {
    Pending next = new Pending(publish);
    Pending previous = pending.put(clientId, next);
    if (previous != null && previous.future != null) {
      previous.future.cancel(false);
    }
    next.future = timer.schedule(() -> {
      if (pending.remove(clientId, next)) {
        publish.run();
      }
    }, delaySeconds, TimeUnit.SECONDS);
  }

  /**
   * A new connection of {@code clientId} is accepted: the will waiting for that client, if any, is
   * no longer due; returned so that the caller publishes it at once if the old session ended.
   *
   * @return the publication task, or null if no will was pending
   */
  public Runnable take(String clientId) {
    Pending taken = pending.remove(clientId);
    if (taken == null) {
      return null;
    }
    ScheduledFuture<?> future = taken.future;
    if (future != null) {
      future.cancel(false); // else not scheduled yet: its task finds it gone and does nothing
    }
    return taken.publish;
  }

  /** Wills waiting (for statistics and tests). */
  public int size() {
    return pending.size();
  }

  private static final class Pending {
    final Runnable publish;
    volatile ScheduledFuture<?> future;

    Pending(Runnable publish) {
      this.publish = publish;
    }
  }
}
