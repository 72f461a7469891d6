package dev.courier.mqtt.transport.internal.bridge.memory;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * The throttle of one {@link DeliveryQueue}: the stage that publishers routing to a congested
 * queue wait on, completed when the queue drains to its low-water mark or after {@value
 * #TIMEOUT_MILLIS} ms, whichever comes first. Lock-free; one stage is shared by every publisher
 * held back by the same queue.
 */
final class Congestion {

  /** Longest a publisher is held back by one congested session before it may go on. */
  static final long TIMEOUT_MILLIS = 2000;
  private static final VarHandle WAITING;

  static {
    try {
      WAITING = MethodHandles.lookup()
          .findVarHandle(Congestion.class, "waiting", CompletableFuture.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Completed (and cleared) when the queue drains below the low-water mark. */
  @SuppressWarnings("unused") // accessed through WAITING
  private volatile CompletableFuture<Void> waiting;

  /** The stage a publisher waits on, created by the first one held back. */
  CompletionStage<Void> stage() {
    @SuppressWarnings("unchecked")
    CompletableFuture<Void> current = (CompletableFuture<Void>) WAITING.getVolatile(this);
    if (current == null) {
      // Bounded wait: two clients publishing to each other could otherwise throttle each other
      // for good (neither reads the other's acknowledgements).
      CompletableFuture<Void> fresh = new CompletableFuture<Void>()
          .completeOnTimeout(null, TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
      current = WAITING.compareAndSet(this, null, fresh)
          ? fresh
          : (CompletableFuture<Void>) WAITING.getVolatile(this);
      if (current == null) {
        return InMemoryBridge.DONE; // released in between
      }
    }
    return current;
  }

  /** Whether a publisher may be waiting. */
  boolean active() {
    return WAITING.getVolatile(this) != null;
  }

  /** Lets every waiting publisher go on. */
  void release() {
    @SuppressWarnings("unchecked")
    CompletableFuture<Void> current = (CompletableFuture<Void>) WAITING.getAndSet(this, null);
    if (current != null) {
      current.complete(null);
    }
  }
}
