package dev.courier.mqtt.transport.internal.netty;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands tasks to another connection's event loop once per turn of the calling loop, not once per
 * message. A publisher's read of five PUBLISHes signals the subscriber's connection five times; at
 * a low rate the subscriber's loop would wake for the first (an eventfd write and a wake-up), send
 * it, fall asleep, and be woken again by a later one of the same read: one wake-up and one socket
 * write per message. Gathered here and handed over when the calling loop has done its I/O, the
 * signals of one read cost the other loop one wake-up and the subscriber one write.
 *
 * <p>Calls from a thread that is none of {@code loops} (the host broker's threads), and calls for
 * a connection of the calling loop itself (which wake nothing), go to the target at once.
 * Thread-safe; the gathering is per calling loop and touched only by it.
 */
final class LoopHandOff {

  /** Hands every task over at once: for pipelines on a loop of their own (tests). */
  static final LoopHandOff DIRECT = new LoopHandOff(new EventExecutor[0]);

  private static final Logger LOG = LoggerFactory.getLogger(LoopHandOff.class);
  /** What a thread that is none of the loops gets: nothing is gathered for it. */
  private static final Batch NOT_A_LOOP = new Batch(null);

  /** The calling loop's batch, found once per thread; NOT_A_LOOP on other threads. */
  private final FastThreadLocal<Batch> batches;

  /** @param loops the event loops whose calls are gathered (a transport's workers) */
  LoopHandOff(EventExecutor[] loops) {
    EventExecutor[] own = loops.clone();
    this.batches = new FastThreadLocal<>() {
      @Override
      protected Batch initialValue() {
        for (EventExecutor loop : own) {
          if (loop.inEventLoop()) {
            return new Batch(loop);
          }
        }
        return NOT_A_LOOP;
      }
    };
  }

  /** The loops of {@code group}, for {@link #LoopHandOff(EventExecutor[])}. */
  static EventExecutor[] loopsOf(Iterable<EventExecutor> group) {
    List<EventExecutor> loops = new ArrayList<>();
    group.forEach(loops::add);
    return loops.toArray(new EventExecutor[0]);
  }

  /**
   * Runs {@code task} on {@code target}: at once when called on {@code target} or on a thread
   * that is none of the loops, else when the calling loop has finished what it is doing now.
   */
  void execute(EventExecutor target, Runnable task) {
    if (target.inEventLoop()) {
      target.execute(task); // queued behind the current work; no wake-up needed
      return;
    }
    Batch batch = batches.get();
    if (batch == NOT_A_LOOP) {
      target.execute(task);
    } else {
      batch.add(target, task);
    }
  }

  /** The tasks one loop gathered in its current turn, in the order they came. */
  private static final class Batch implements Runnable {
    private final EventExecutor loop;
    private Executor[] targets = new Executor[8];
    private Runnable[] tasks = new Runnable[8];
    private int size;

    Batch(EventExecutor loop) {
      this.loop = loop;
    }

    void add(Executor target, Runnable task) {
      if (size == 0) {
        // A task of this loop's own: it runs after the I/O events of this turn (the whole read).
        loop.execute(this);
      }
      if (size == tasks.length) {
        targets = Arrays.copyOf(targets, size * 2);
        tasks = Arrays.copyOf(tasks, size * 2);
      }
      targets[size] = target;
      tasks[size++] = task;
    }

    /** Hands the batch over. A target woken by its first task is awake for the rest. */
    @Override
    public void run() {
      for (int i = 0; i < size; i++) {
        Runnable task = tasks[i];
        Executor target = targets[i];
        tasks[i] = null;
        targets[i] = null;
        try {
          target.execute(task);
        } catch (RejectedExecutionException stopping) {
          // the target loop is shutting down, and its connections with it
          LOG.debug("Event loop {} is stopping; a delivery signal for it is dropped", target);
        }
      }
      size = 0;
    }
  }
}
