package dev.courier.mqtt.transport.internal.protocol.flow;

import dev.courier.mqtt.transport.internal.protocol.context.ConnectionContext;
import dev.courier.mqtt.transport.internal.session.ClientSession;
import dev.courier.mqtt.transport.internal.session.SessionOwner;
import dev.courier.mqtt.transport.internal.session.SessionRegistry;
import dev.courier.mqtt.transport.spi.bridge.BridgeSession;
import dev.courier.mqtt.transport.spi.bridge.MessagingBridge;
import dev.courier.mqtt.transport.spi.bridge.SessionRequest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claims the client id (taking over an older connection of it) and opens the client's session here
 * and in the bridge, restoring what a persistent session had pending.
 */
public final class SessionOpenFlow {

  /** How opening ended. */
  public enum Result {
    /** A new (or clean) session is open. */
    OPENED,
    /** A persistent session the bridge still had is open again. */
    RESUMED,
    /** The bridge could not open it: refuse with "server unavailable". */
    REFUSED,
    /** The connection closed or was taken over meanwhile; what it held must be let go. */
    GONE
  }

  private static final Logger LOG = LoggerFactory.getLogger(SessionOpenFlow.class);

  private final ConnectionContext context;
  private final SessionOwner owner;

  public SessionOpenFlow(ConnectionContext context, SessionOwner owner) {
    this.context = context;
    this.owner = owner;
  }

  /** Opens the session; completes on the connection's thread. */
  public CompletableFuture<Result> open() {
    CompletableFuture<Result> result = new CompletableFuture<>();
    CompletionStage<Void> claimed = context.parts().registry().claim(context.clientId(), owner);
    if (claimed.toCompletableFuture().isDone()) {
      afterClaim(result);
    } else {
      claimed.whenComplete((ignored, error) -> context.onLoop(() -> afterClaim(result)));
    }
    return result;
  }

  private void afterClaim(CompletableFuture<Result> result) {
    SessionRegistry registry = context.parts().registry();
    String clientId = context.clientId();
    if (context.closed()) {
      registry.release(clientId, owner);
      context.released().complete(null);
      result.complete(Result.GONE);
      return;
    }
    if (!registry.owns(clientId, owner)) {
      // Taken over before the claim completed: hold nothing, and let the next owner proceed.
      context.released().complete(null);
      context.port().close();
      result.complete(Result.GONE);
      return;
    }
    // A session that ends with the connection is only this connection's; others may be resumed.
    ClientSession session = context.negotiated().persistentSession()
        ? registry.open(clientId, context.cleanStart()) : registry.openTransient(clientId);
    context.sessions(session, null);
    context.sessionHeld(true);
    CompletableFuture<BridgeSession> future = openInBridge().toCompletableFuture();
    if (future.isDone()) {
      // getNow would throw for a failed stage: ask for the failure first.
      Throwable error = ConnectionContext.failure(future);
      result.complete(afterOpen(error == null ? future.getNow(null) : null, error));
    } else {
      future.whenComplete((opened, error) ->
          context.onLoop(() -> result.complete(afterOpen(opened, error))));
    }
  }

  private CompletionStage<BridgeSession> openInBridge() {
    try {
      return context.parts().bridge().openSession(new SessionRequest(context.clientId(),
          context.cleanStart(), context.config().maxQueuedMessages(),
          context.negotiated().sessionExpirySeconds(), context.config().maxQueuedBytes()));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private Result afterOpen(BridgeSession opened, Throwable error) {
    SessionRegistry registry = context.parts().registry();
    MessagingBridge bridge = context.parts().bridge();
    ClientSession session = context.session();
    if (error != null || opened == null) {
      LOG.warn("Bridge {} could not open the session of client {}: {}", bridge.name(),
          context.clientId(), String.valueOf(error));
      context.sessionHeld(false);
      if (!context.negotiated().persistentSession()) {
        registry.remove(session);
      }
      registry.release(context.clientId(), owner);
      context.released().complete(null);
      return context.closed() ? Result.GONE : Result.REFUSED;
    }
    if (!context.cleanStart() && !opened.present() && session.inflightCount() > 0) {
      // The bridge no longer knows this session: what was in flight belongs to nobody.
      registry.remove(session);
      session = registry.open(context.clientId(), false);
    }
    session.bridgeSession(opened);
    context.sessions(session, opened);
    restore(session, opened);
    if (context.closed()) {
      return Result.GONE; // closed or taken over while the session was being opened
    }
    return !context.cleanStart() && opened.present() ? Result.RESUMED : Result.OPENED;
  }

  private static void restore(ClientSession session, BridgeSession opened) {
    if (opened.present()) {
      // QoS 2 publications the bridge stored before a restart still await PUBREL [MQTT-4.3.3-2].
      opened.awaitingRelease().forEach(session::restoreQos2);
    }
    if (session.inflightCount() == 0) {
      // Nothing of this session is in flight here: whatever the bridge handed out before (to a
      // transport that has since restarted) must be delivered again.
      opened.recover();
    }
  }
}
