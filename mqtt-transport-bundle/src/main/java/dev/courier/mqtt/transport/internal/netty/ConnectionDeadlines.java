package dev.courier.mqtt.transport.internal.netty;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The connect and keep-alive deadlines of a listener's connections: per event loop one queue of
 * connections ordered by deadline (a binary heap over an array) and one scheduled task for the
 * earliest, instead of a scheduled task per connection. A waiting connection costs a slot in the
 * array; a connection taken off (closed, or CONNECT read) is held by nothing here.
 *
 * <p>Threading: {@link #on} from any thread; a {@link Loop} only on its own event loop.
 */
final class ConnectionDeadlines {

  /** A connection with a deadline: told when it is reached, and where it sits in its queue. */
  interface Waiting {
    /** The deadline, by the queue's clock; read only while queued. */
    long deadline();

    /** Its index in the queue, -1 when not queued; kept by the queue. */
    int slot();

    void slot(int slot);

    /** The deadline was reached ({@code now} is not before it): it is off the queue already. */
    void deadlineReached(long now);
  }

  private static final int INITIAL = 16;

  /** Nanoseconds as {@link System#nanoTime()}; a test's own clock in tests. */
  private final LongSupplier clock;
  private final long connectTimeoutNanos;
  private final ConcurrentMap<EventExecutor, Loop> loops = new ConcurrentHashMap<>();
  /** The transport's hand-over of tasks between its loops (kept here, not per connection). */
  private final LoopHandOff handOff;

  /** @param connectTimeoutSeconds the listener's {@code connectTimeoutSeconds} */
  ConnectionDeadlines(LongSupplier clock, int connectTimeoutSeconds) {
    this(clock, connectTimeoutSeconds, LoopHandOff.DIRECT);
  }

  /**
   * @param connectTimeoutSeconds the listener's {@code connectTimeoutSeconds}
   * @param handOff the transport's hand-over of tasks between its event loops
   */
  ConnectionDeadlines(LongSupplier clock, int connectTimeoutSeconds, LoopHandOff handOff) {
    this.clock = clock;
    this.connectTimeoutNanos = TimeUnit.SECONDS.toNanos(connectTimeoutSeconds);
    this.handOff = handOff;
  }

  /** The transport's hand-over of tasks between its event loops. */
  LoopHandOff handOff() {
    return handOff;
  }

  /** How long a new connection may take to send CONNECT, in nanoseconds. */
  long connectTimeoutNanos() {
    return connectTimeoutNanos;
  }

  /** The clock of the deadlines, in nanoseconds as {@link System#nanoTime()}. */
  long now() {
    return clock.getAsLong();
  }

  /** The queue of the loop {@code executor}, made on first use; loops live with the listener. */
  Loop on(EventExecutor executor) {
    Loop loop = loops.get(executor); // no capturing lambda made on the common path
    return loop != null ? loop : loops.computeIfAbsent(executor, this::newLoop);
  }

  private Loop newLoop(EventExecutor executor) {
    return new Loop(executor, clock);
  }

  /** The deadlines of one event loop's connections; used on that loop only. */
  static final class Loop implements Runnable {

    private final EventExecutor executor;
    private final LongSupplier clock;
    private Waiting[] heap = new Waiting[INITIAL];
    private int size;
    /** The task that wakes for the earliest deadline, or null when none is queued. */
    private ScheduledFuture<?> timer;
    /** What {@link #timer} was scheduled for; never after the earliest deadline queued. */
    private long timerDue;

    private Loop(EventExecutor executor, LongSupplier clock) {
      this.executor = executor;
      this.clock = clock;
    }

    /** Queues {@code waiting}, whose {@link Waiting#deadline()} is set, once. */
    void add(Waiting waiting) {
      if (size == heap.length) {
        heap = Arrays.copyOf(heap, size * 2);
      }
      heap[size] = waiting;
      waiting.slot(size);
      size++;
      siftUp(size - 1);
      if (heap[0] == waiting) {
        wakeFor(waiting.deadline());
      }
    }

    /** Takes {@code waiting} off the queue, if it is on it. */
    void remove(Waiting waiting) {
      int slot = waiting.slot();
      if (slot < 0 || slot >= size || heap[slot] != waiting) {
        return;
      }
      waiting.slot(-1);
      size--;
      Waiting last = heap[size];
      heap[size] = null;
      if (slot != size) {
        heap[slot] = last;
        last.slot(slot);
        siftDown(slot);
        siftUp(last.slot());
      }
      if (size == 0 && timer != null) {
        timer.cancel(false); // nothing waits: the loop holds no task of ours
        timer = null;
      }
      if (heap.length > INITIAL && size < heap.length / 4) {
        heap = Arrays.copyOf(heap, heap.length / 2); // connections went: give the array back
      }
    }

    /** How many connections wait (tests). */
    int size() {
      return size;
    }

    /** Whether a wake-up is scheduled on the loop (tests). */
    boolean timerPending() {
      return timer != null;
    }

    /** Wakes for the earliest deadline: tells every connection whose deadline has come. */
    @Override
    public void run() {
      timer = null;
      long now = clock.getAsLong();
      while (size > 0 && heap[0].deadline() - now <= 0) {
        Waiting due = heap[0];
        remove(due);
        due.deadlineReached(now); // may queue it again, for later than now
      }
      if (size > 0 && timer == null) {
        wakeFor(heap[0].deadline());
      }
    }

    private void wakeFor(long deadline) {
      if (timer != null) {
        if (timerDue - deadline <= 0) {
          return; // it wakes in time: a deadline not the earliest is looked at when it does
        }
        timer.cancel(false);
      }
      timerDue = deadline;
      timer = executor.schedule(this, Math.max(0, deadline - clock.getAsLong()),
          TimeUnit.NANOSECONDS);
    }

    private void siftUp(int slot) {
      Waiting moving = heap[slot];
      while (slot > 0) {
        int parent = (slot - 1) >>> 1;
        Waiting above = heap[parent];
        if (above.deadline() - moving.deadline() <= 0) {
          break;
        }
        heap[slot] = above;
        above.slot(slot);
        slot = parent;
      }
      heap[slot] = moving;
      moving.slot(slot);
    }

    private void siftDown(int slot) {
      Waiting moving = heap[slot];
      int half = size >>> 1;
      while (slot < half) {
        int child = 2 * slot + 1;
        int right = child + 1;
        if (right < size && heap[right].deadline() - heap[child].deadline() < 0) {
          child = right;
        }
        Waiting below = heap[child];
        if (moving.deadline() - below.deadline() <= 0) {
          break;
        }
        heap[slot] = below;
        below.slot(slot);
        slot = child;
      }
      heap[slot] = moving;
      moving.slot(slot);
    }
  }
}
