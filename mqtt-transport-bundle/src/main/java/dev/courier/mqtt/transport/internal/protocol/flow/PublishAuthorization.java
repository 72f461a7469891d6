package dev.courier.mqtt.transport.internal.protocol.flow;

import dev.courier.mqtt.transport.internal.protocol.context.AccessControl;
import dev.courier.mqtt.transport.internal.protocol.context.ConnectionContext;
import dev.courier.mqtt.transport.spi.auth.Authorizer;
import dev.courier.mqtt.transport.spi.bridge.Publication;
import dev.courier.mqtt.transport.spi.bridge.PublishResult;
import java.util.HashMap;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides whether a publication (or a will) may go to the bridge, and hands it over: reserved
 * topics are dropped, a required and absent authorizer fails it, the authorizer in force is asked
 * (its immediate answers remembered per topic), and publications reach the bridge in the order they
 * arrived even when one is decided late [MQTT-4.6.0-6].
 */
public final class PublishAuthorization {

  /** Shared until the first change: one completed future for all, not one each. */
  private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

  /**
   * Why a publication failed when a required authorizer is absent: the client is closed without an
   * acknowledgement, and this is no fault of the bridge. Shared and stackless: it carries no state.
   */
  public static final RuntimeException AUTHORIZER_MISSING = new AuthorizerMissing();

  /**
   * Why a publication failed when it was refused (reserved topic, or the authorizer said no): it
   * is dropped and counted; MQTT 3.1.1 still acknowledges it as usual (it has no way to tell the
   * publisher [MQTT-3.3.5-2]), MQTT 5.0 answers PUBACK/PUBREC 0x87 Not authorized (3.4.2.1,
   * 3.5.2.1). Shared and stackless.
   */
  public static final RuntimeException DENIED = new Refused("publication not authorized");

  private static final Logger LOG = LoggerFactory.getLogger(PublishAuthorization.class);
  /** Topics whose publish decision one connection remembers. */
  private static final int MAX_REMEMBERED_DECISIONS = 256;

  private final ConnectionContext context;
  /** Immediate publish decisions of the authorizer, by topic; created on first use. */
  private HashMap<String, Boolean> decisions;
  /** Completes once the latest publication was handed to the bridge or dropped; never fails. */
  private CompletableFuture<Void> lastRouted = DONE;

  public PublishAuthorization(ConnectionContext context) {
    this.context = context;
  }

  /** Completes once every publication authorized so far was handed over or dropped. */
  public CompletableFuture<Void> lastRouted() {
    return lastRouted;
  }

  /**
   * Publishes if allowed. A refused publication is dropped and counted, and its stage fails with
   * {@link #DENIED}.
   *
   * @param packetId the client's packet id of a QoS 2 publication, else 0
   */
  public CompletableFuture<PublishResult> publish(Publication publication, int packetId) {
    AccessControl access = context.parts().access();
    if (context.parts().reserved().isReserved(publication.topic())) {
      access.countDeniedPublication();
      LOG.debug("Client {} may not publish to the reserved topic {}; dropped", context.clientId(),
          publication.topic());
      return CompletableFuture.failedFuture(DENIED);
    }
    if (access.authorizerMissing()) {
      // Fail closed, and keep nothing unacknowledged as if it were kept: the stage fails, the
      // connection closes without PUBACK/PUBREC and the client resends later.
      return CompletableFuture.failedFuture(AUTHORIZER_MISSING);
    }
    Authorizer current = context.authorizer();
    if (current == null) {
      return toBridge(publication, packetId);
    }
    CompletableFuture<Void> previous = lastRouted;
    Boolean remembered = decisions == null ? null : decisions.get(publication.topic());
    if (remembered != null && previous.isDone()) {
      return remembered ? toBridge(publication, packetId) : denied(publication);
    }
    CompletableFuture<Boolean> allowed =
        context.bounded(() -> current.mayPublish(context.identity(), publication.topic()));
    if (allowed.isDone() && previous.isDone()) {
      boolean ok = isAllowed(allowed);
      if (!allowed.isCompletedExceptionally()) {
        remember(publication.topic(), ok);
      }
      return ok ? toBridge(publication, packetId) : denied(publication);
    }
    // [MQTT-4.6.0-6] a publication decided at once must not overtake one still being decided:
    // each goes to the bridge (or is dropped) only after the one before it.
    CompletableFuture<CompletableFuture<PublishResult>> routed = allowed
        .handle((ok, error) -> error == null && Boolean.TRUE.equals(ok))
        .thenCombine(previous, (ok, ignored) -> ok)
        .thenApplyAsync(ok -> ok ? toBridge(publication, packetId) : denied(publication),
            context.port().executor());
    lastRouted = routed.handle((ignored, error) -> null);
    return routed.thenCompose(stage -> stage);
  }

  /** Whether a bounded authorizer decision allowed it (a failure or timeout does not). */
  static boolean isAllowed(CompletableFuture<Boolean> decision) {
    return !decision.isCompletedExceptionally() && Boolean.TRUE.equals(decision.getNow(false));
  }

  /**
   * Remembers an immediate publish decision for this connection, so that a client publishing to
   * the same topics again does not pay for a rule evaluation per message. Like the authorizer
   * itself (taken at CONNECT), a rule change therefore applies to connections made after it.
   */
  private void remember(String topic, boolean allowed) {
    if (decisions == null) {
      decisions = new HashMap<>();
    } else if (decisions.size() >= MAX_REMEMBERED_DECISIONS) {
      decisions.clear(); // a client cycling through many topics: start over, stay bounded
    }
    decisions.put(topic, allowed);
  }

  private CompletableFuture<PublishResult> denied(Publication publication) {
    context.parts().access().countDeniedPublication();
    LOG.debug("Client {} may not publish to {}; dropped", context.clientId(), publication.topic());
    return CompletableFuture.failedFuture(DENIED);
  }

  private CompletableFuture<PublishResult> toBridge(Publication publication, int packetId) {
    try {
      // QoS 2: the bridge records the packet id with the message, so that a resend after a
      // restart is still known as a duplicate [MQTT-4.3.3-2]. (A will has no packet id.)
      return context.bridgeSession().route(publication, packetId).toCompletableFuture();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** See {@link #AUTHORIZER_MISSING}. */
  private static final class AuthorizerMissing extends RuntimeException {
    private static final long serialVersionUID = 1L;

    AuthorizerMissing() {
      super("an authorizer is required and none is registered", null, false, false);
    }
  }

  /** See {@link #DENIED}. */
  private static final class Refused extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Refused(String message) {
      super(message, null, false, false);
    }
  }
}
