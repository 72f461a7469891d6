package dev.courier.mqtt.artemis.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Holds back MQTT publishers whose messages fill a clean session's {@link DirectBuffer}, as the
 * in-memory bridge holds back publishers routing to a congested queue: a publication routed to a
 * connected session whose buffer has passed half its bounds is acknowledged only once the buffer
 * has drained to a quarter of them, or after {@value #TIMEOUT_MILLIS} ms, whichever comes first.
 * The publisher's in-flight window and its connection's read gate then slow it down, instead of
 * the session dropping what its bounds cannot take.
 *
 * <p>What routing finds is collected per thread while {@link ArtemisBridge} routes a publication
 * (the post office calls the bindings on that thread): {@link #hold} from a binding, {@link
 * #take} once the route returns. Other protocols' producers are never held back.
 */
final class Congestion {

  /** Longest a publication is held back; two clients publishing to each other must go on. */
  static final long TIMEOUT_MILLIS = 2000;

  private static final ThreadLocal<Congestion> ROUTING = ThreadLocal.withInitial(Congestion::new);

  /** Whether this thread is routing a publication of ours now. */
  private boolean routing;
  /** What the current route met, or null. */
  private CompletableFuture<Void> held;

  private Congestion() {}

  /** This thread starts routing a publication; {@link #take} on the result when it returns. */
  static Congestion begin() {
    Congestion current = ROUTING.get();
    current.routing = true;
    return current;
  }

  /**
   * A binding routed to a congested buffer: the publication being routed on this thread waits
   * for {@code drained}. Nothing if this thread routes no publication of ours (another protocol's
   * producer, a transaction committing).
   */
  static void hold(CompletableFuture<Void> drained) {
    Congestion current = ROUTING.get();
    if (!current.routing) {
      return;
    }
    current.held = current.held == null ? drained : CompletableFuture.allOf(current.held, drained);
  }

  /** What the route that just ended on this thread must wait for, or null; and forgets it. */
  CompletionStage<Void> take() {
    CompletableFuture<Void> met = held;
    held = null;
    routing = false;
    return met;
  }

  /** A new stage for a buffer that just became congested: completes by itself after the timeout. */
  static CompletableFuture<Void> stage() {
    return new CompletableFuture<Void>().completeOnTimeout(null, TIMEOUT_MILLIS,
        TimeUnit.MILLISECONDS);
  }
}
