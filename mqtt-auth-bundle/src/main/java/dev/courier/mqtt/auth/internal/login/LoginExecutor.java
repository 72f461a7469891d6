package dev.courier.mqtt.auth.internal.login;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bounded pool JAAS logins run on: {@code threads} threads and at most {@code maxPending}
 * logins waiting. {@link #tryExecute} refuses (returns false) instead of queueing beyond that, so a
 * flood of CONNECTs cannot pile up work or memory. Both bounds can change at runtime.
 */
public final class LoginExecutor implements BoundedExecutor {

  private final ThreadPoolExecutor pool;
  private final AtomicInteger admitted = new AtomicInteger();
  private volatile int limit;

  /**
   * Creates the pool.
   *
   * @param threads login threads
   * @param maxPending logins that may wait for a thread
   */
  public LoginExecutor(int threads, int maxPending) {
    AtomicInteger numbers = new AtomicInteger();
    ThreadFactory factory = task -> {
      Thread thread = new Thread(task, "courier-mqtt-auth-login-" + numbers.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
    pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), factory);
    pool.allowCoreThreadTimeOut(true);
    limit = threads + maxPending;
  }

  /**
   * Applies new bounds; logins already admitted are not affected.
   *
   * @param threads login threads
   * @param maxPending logins that may wait for a thread
   */
  public synchronized void resize(int threads, int maxPending) {
    if (threads > pool.getMaximumPoolSize()) {
      pool.setMaximumPoolSize(threads);
      pool.setCorePoolSize(threads);
    } else {
      pool.setCorePoolSize(threads);
      pool.setMaximumPoolSize(threads);
    }
    limit = threads + maxPending;
  }

  @Override
  public boolean tryExecute(Runnable task) {
    if (admitted.incrementAndGet() > limit) {
      admitted.decrementAndGet();
      return false;
    }
    try {
      pool.execute(() -> {
        try {
          task.run();
        } finally {
          admitted.decrementAndGet();
        }
      });
      return true;
    } catch (RuntimeException rejected) { // shut down
      admitted.decrementAndGet();
      return false;
    }
  }

  /** Stops the threads; logins still running finish on their own. */
  public void shutdown() {
    pool.shutdownNow();
  }
}
