package dev.courier.mqtt.auth.internal.login;

/** An executor that may refuse work instead of queueing it without bound. */
@FunctionalInterface
public interface BoundedExecutor {

  /**
   * Runs a task on another thread if there is room.
   *
   * @param task the work
   * @return false if the task was refused (the caller answers for it)
   */
  boolean tryExecute(Runnable task);
}
