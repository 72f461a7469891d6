package dev.courier.mqtt.auth.internal.login;

/**
 * Runs a task after a delay without holding a thread meanwhile. The real one wraps a single-thread
 * {@code ScheduledExecutorService}; tests drive a manual one.
 */
@FunctionalInterface
public interface DelayScheduler {

  /** A scheduled task that can be called off. */
  @FunctionalInterface
  interface Cancellable {
    /** Calls the task off if it has not run; harmless afterwards. */
    void cancel();
  }

  /**
   * Schedules a task.
   *
   * @param task what to run; it must be quick (it runs on the scheduler's only thread)
   * @param delayMillis after how long; 0 or less runs it soon
   * @return a handle to cancel it
   */
  Cancellable schedule(Runnable task, long delayMillis);
}
