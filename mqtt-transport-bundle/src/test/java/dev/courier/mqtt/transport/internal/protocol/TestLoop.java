package dev.courier.mqtt.transport.internal.protocol;

import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;

/**
 * A single-threaded stand-in for an event loop: tasks handed to it are queued, as Netty does for a
 * task submitted from its own loop, and run when the test says so. In inline mode tasks run at once
 * on the caller's thread. Tasks may be queued from any thread; they run on the thread that calls
 * {@link #runAll()} or {@link #runOne()}.
 *
 * <p>Time is virtual: it stands still until the test {@link #advance advances} it, and a task
 * {@link #schedule scheduled} for later is queued when its time comes. Scheduling is for the loop's
 * own thread, as the engine does it.
 */
final class TestLoop implements Executor {

  /** Thread-safe, so that a timer thread may hand tasks to the loop as Netty allows. */
  private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private boolean inline;
  private final PriorityQueue<Timer> timers = new PriorityQueue<>(
      Comparator.comparingLong(Timer::due).thenComparingLong(Timer::order));
  private long nanos;
  private long scheduled;

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

  /** The virtual clock, in nanoseconds. */
  long nanoTime() {
    return nanos;
  }

  /** Queues {@code task} once the clock has advanced by {@code delayNanos}. */
  void schedule(Runnable task, long delayNanos) {
    timers.add(new Timer(nanos + delayNanos, scheduled++, task));
  }

  /** Tasks scheduled and not yet due. */
  int scheduledPending() {
    return timers.size();
  }

  /** Moves the clock on, queues the tasks that fell due, in order, and runs all. */
  void advance(long deltaNanos) {
    nanos += deltaNanos;
    do {
      while (!timers.isEmpty() && timers.peek().due() <= nanos) {
        tasks.add(timers.poll().task());
      }
      runAll();
    } while (!timers.isEmpty() && timers.peek().due() <= nanos);
  }

  private record Timer(long due, long order, Runnable task) {}
}
