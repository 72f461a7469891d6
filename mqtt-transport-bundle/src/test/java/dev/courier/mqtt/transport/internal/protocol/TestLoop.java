package dev.courier.mqtt.transport.internal.protocol;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;

/**
 * A single-threaded stand-in for an event loop: tasks handed to it are queued, as Netty does for a
 * task submitted from its own loop, and run when the test says so. In inline mode tasks run at once
 * on the caller's thread. Tasks may be queued from any thread; they run on the thread that calls
 * {@link #runAll()} or {@link #runOne()}.
 */
final class TestLoop implements Executor {

  /** Thread-safe, so that a timer thread may hand tasks to the loop as Netty allows. */
  private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private boolean inline;

  TestLoop inline(boolean runInline) {
    this.inline = runInline;
    return this;
  }

  @Override
  public void execute(Runnable task) {
    if (inline) {
      task.run();
    } else {
      tasks.add(task);
    }
  }

  /** Runs queued tasks, and the tasks they queue, until none is left. */
  void runAll() {
    int guard = 0;
    Runnable task;
    while ((task = tasks.poll()) != null) {
      task.run();
      if (++guard > 1_000_000) {
        throw new IllegalStateException("tasks keep queueing tasks");
      }
    }
  }

  /** Runs only the first queued task; returns false if none was queued. */
  boolean runOne() {
    Runnable task = tasks.poll();
    if (task == null) {
      return false;
    }
    task.run();
    return true;
  }

  int pending() {
    return tasks.size();
  }
}
