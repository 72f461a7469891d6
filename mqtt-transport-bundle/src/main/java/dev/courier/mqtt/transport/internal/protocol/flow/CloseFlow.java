package dev.courier.mqtt.transport.internal.protocol.flow;

import dev.courier.mqtt.transport.internal.protocol.context.ConnectionContext;
import dev.courier.mqtt.transport.internal.session.SessionOwner;
import dev.courier.mqtt.transport.internal.session.SessionRegistry;
import dev.courier.mqtt.transport.spi.bridge.Publication;
import io.netty.handler.codec.mqtt.MqttMessage;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of a connection: DISCONNECT from the client, takeover by a newer connection, the will,
 * and letting go of the session (ended if clean, detached if persistent).
 */
public final class CloseFlow {

  private static final Logger LOG = LoggerFactory.getLogger(CloseFlow.class);
  /** Connection events, separate from diagnostics so operators can route them. */
  private static final Logger EVENTS = LoggerFactory.getLogger("dev.courier.mqtt.transport.events");

  private final ConnectionContext context;
  private final PublishAuthorization authorization;
  private final SessionOwner owner;
  private Publication will;
  private boolean disconnectReceived;
  private boolean takenOver;

  public CloseFlow(ConnectionContext context, PublishAuthorization authorization,
      SessionOwner owner) {
    this.context = context;
    this.authorization = authorization;
    this.owner = owner;
  }

  /** The will of the accepted CONNECT, or null. */
  public void will(Publication value) {
    this.will = value;
  }

  public boolean disconnectReceived() {
    return disconnectReceived;
  }

  /** DISCONNECT from the client: [MQTT-3.14.4-3] a clean DISCONNECT discards the will. */
  public void onDisconnect(MqttMessage disconnect) {
    disconnectReceived = true;
    will = null;
    context.port().close();
  }

  /** A newer connection claimed the client id: close this one. */
  public void takeOver() {
    if (!context.closed()) {
      takenOver = true;
      EVENTS.info("Client {} from {} taken over by a new connection", context.clientId(),
          context.port().remoteAddress());
      context.port().close();
    }
  }

  /**
   * The connection of a connected client closed: publishes the will unless DISCONNECT came, then
   * lets go of the session once publications still being authorized reached it.
   */
  public void connectedClosed() {
    String clientId = context.clientId();
    if (will != null && !disconnectReceived) {
      // [MQTT-3.1.2-8] the will is published when the connection closes without DISCONNECT.
      LOG.debug("Publishing the will of client {} on {}", clientId, will.topic());
      authorization.publish(will, 0).exceptionally(error -> {
        LOG.warn("Will of client {} could not be published: {}", clientId, error.toString());
        return null;
      });
    }
    EVENTS.info("Client {} disconnected{}", clientId,
        disconnectReceived ? "" : takenOver ? " (taken over)" : " (connection lost)");
    // Publications still with the authorizer, and the will behind them, go to the session
    // before it ends; a successor's takeover waits for that (at most authTimeoutSeconds).
    CompletableFuture<Void> routed = authorization.lastRouted();
    if (routed.isDone()) {
      letGo();
    } else {
      routed.whenComplete((ignored, error) -> context.onLoop(this::letGo));
    }
  }

  /** Ends or detaches the session held, and releases the client id. Idempotent. */
  public void letGo() {
    SessionRegistry registry = context.parts().registry();
    if (context.sessionHeld() && context.bridgeSession() != null) {
      if (context.cleanStart()) {
        // [MQTT-3.1.2-6] a clean session ends with its connection.
        context.bridgeSession().close();
        registry.remove(context.session());
      } else {
        context.bridgeSession().detach();
      }
    }
    context.sessionHeld(false);
    registry.release(context.clientId(), owner);
    context.released().complete(null);
  }
}
