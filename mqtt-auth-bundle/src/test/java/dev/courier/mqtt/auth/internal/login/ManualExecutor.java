package dev.courier.mqtt.auth.internal.login;

import java.util.ArrayDeque;
import java.util.Deque;

/** A {@link BoundedExecutor} that queues up to a capacity and runs tasks when the test says. */
final class ManualExecutor implements BoundedExecutor {

  private final Deque<Runnable> tasks = new ArrayDeque<>();
  private final int capacity;

  ManualExecutor(int capacity) {
    this.capacity = capacity;
  }

  @Override
  public synchronized boolean tryExecute(Runnable task) {
    if (tasks.size() >= capacity) {
      return false;
    }
    tasks.add(task);
    return true;
  }

  /** Runs every queued task on the calling thread. */
  void runAll() {
    while (true) {
      Runnable next;
      synchronized (this) {
        next = tasks.poll();
      }
      if (next == null) {
        return;
      }
      next.run();
    }
  }

  synchronized int queued() {
    return tasks.size();
  }
}
