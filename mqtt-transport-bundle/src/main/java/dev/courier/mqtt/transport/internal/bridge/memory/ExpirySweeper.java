package dev.courier.mqtt.transport.internal.bridge.memory;

import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the bridge's expiry sweep every period on one daemon thread, started the first time
 * something can expire (nothing runs for a bridge whose sessions and messages never expire) and
 * stopped with the bridge. Expiry does not depend on the sweep's timing: every read path checks
 * the clock itself; the sweep only lets go of memory and ends detached sessions on time.
 */
final class ExpirySweeper {

  private static final Logger LOG = LoggerFactory.getLogger(ExpirySweeper.class);
  static final String THREAD_NAME = "courier-mqtt-memory-bridge-expiry";

  private final Runnable sweep;
  private final long periodMillis;
  private volatile ScheduledThreadPoolExecutor executor;
  private volatile Thread thread;
  private boolean stopped;

  ExpirySweeper(Runnable sweep, long periodMillis) {
    if (periodMillis <= 0) {
      throw new IllegalArgumentException("sweepPeriodMillis must be positive: " + periodMillis);
    }
    this.sweep = sweep;
    this.periodMillis = periodMillis;
  }

  /** Starts the periodic sweep unless it runs already or the bridge stopped. Cheap once started. */
  void ensureStarted() {
    if (executor != null) {
      return;
    }
    synchronized (this) {
      if (executor != null || stopped) {
        return;
      }
      ScheduledThreadPoolExecutor started = new ScheduledThreadPoolExecutor(1, task -> {
        Thread thread = new Thread(task, THREAD_NAME);
        thread.setDaemon(true);
        this.thread = thread;
        return thread;
      });
      started.scheduleWithFixedDelay(this::runOnce, periodMillis, periodMillis,
          TimeUnit.MILLISECONDS);
      executor = started;
      LOG.debug("In-memory bridge expiry sweep started, every {} ms", periodMillis);
    }
  }

  private void runOnce() {
    try {
      sweep.run();
    } catch (RuntimeException e) {
      // A failed run must not cancel the schedule.
      LOG.warn("In-memory bridge expiry sweep failed: {}", e.toString(), e);
    }
  }

  boolean started() {
    return executor != null;
  }

  /** The sweep's thread once it ran, for tests; null before. */
  Thread thread() {
    return thread;
  }

  /** Stops the sweep for good; idempotent. */
  synchronized void stop() {
    stopped = true;
    if (executor != null) {
      executor.shutdownNow();
    }
  }
}
