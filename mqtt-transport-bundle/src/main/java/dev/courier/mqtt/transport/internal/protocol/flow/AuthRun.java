package dev.courier.mqtt.transport.internal.protocol.flow;

import dev.courier.mqtt.transport.internal.protocol.context.ConnectionContext;
import dev.courier.mqtt.transport.spi.auth.AuthExchange;
import dev.courier.mqtt.transport.spi.auth.AuthStep;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One enhanced-authentication exchange in progress: asks the plug-in's {@link AuthExchange} for
 * steps through a bounded call, keeps the deadline of the whole exchange ({@code
 * authTimeoutSeconds}), and reports each step, a fault of the plug-in or the client's slowness to
 * its {@link Listener} on the connection's thread. Once {@link #end ended}, late answers and the
 * deadline are ignored. Used on the connection's thread only.
 */
final class AuthRun {

  /** What the run reports; called on the connection's thread, at most once after each respond. */
  interface Listener {
    /** The exchange answered. */
    void step(AuthStep step);

    /** The exchange threw, failed, gave no step, or none before the deadline. */
    void fault(String why);

    /** The deadline passed while the client owed an answer to a challenge. */
    void clientTimedOut(int seconds);
  }

  private static final Logger LOG = LoggerFactory.getLogger(AuthRun.class);

  private final ConnectionContext context;
  private final AuthExchange exchange;
  private final Listener listener;
  /** Completed early when the run ends, which cancels its timer. */
  private final CompletableFuture<Void> deadline = new CompletableFuture<>();
  private boolean awaitingClient;
  private boolean ended;

  /** Starts the run's deadline; ask for the first step with {@link #respond}. */
  AuthRun(ConnectionContext context, AuthExchange exchange, Listener listener) {
    this.context = context;
    this.exchange = exchange;
    this.listener = listener;
    int seconds = context.config().authTimeoutSeconds();
    deadline.orTimeout(seconds, TimeUnit.SECONDS).whenComplete((ignored, error) -> {
      if (error instanceof TimeoutException) {
        context.onLoop(() -> expired(seconds));
      }
    });
  }

  /** Asks for the next step after the client sent {@code data}. */
  void respond(byte[] data) {
    awaitingClient = false;
    CompletableFuture<AuthStep> next = context.bounded(() -> exchange.respond(data));
    if (next.isDone()) {
      decide(next);
    } else {
      next.whenComplete((step, error) -> context.onLoop(() -> decide(next)));
    }
  }

  /** A challenge went out: the client owes the next message. */
  void awaitClient() {
    awaitingClient = true;
  }

  /** Whether the client owes an answer to a challenge (and the exchange no step). */
  boolean awaitsClient() {
    return awaitingClient && !ended;
  }

  /**
   * Ends the run: nothing it reports from now on. Idempotent.
   *
   * @param abandon whether to tell the exchange that it ends without a final step
   */
  void end(boolean abandon) {
    if (ended) {
      return;
    }
    ended = true;
    deadline.complete(null);
    if (abandon) {
      try {
        exchange.abandon();
      } catch (RuntimeException e) {
        LOG.warn("Enhanced authenticator failed to abandon the exchange of client {}",
            context.clientId(), e);
      }
    }
  }

  private void decide(CompletableFuture<AuthStep> next) {
    if (ended || awaitingClient) {
      return; // ended meanwhile (closed, timed out, violated)
    }
    Throwable error = next.isCompletedExceptionally() ? ConnectionContext.failure(next) : null;
    AuthStep step = error == null ? next.getNow(null) : null;
    if (step == null) {
      listener.fault(error == null ? "no step" : error.toString());
    } else {
      listener.step(step);
    }
  }

  private void expired(int seconds) {
    if (ended) {
      return;
    }
    if (awaitingClient) {
      listener.clientTimedOut(seconds);
    } else {
      listener.fault("no step within " + seconds + " s");
    }
  }
}
