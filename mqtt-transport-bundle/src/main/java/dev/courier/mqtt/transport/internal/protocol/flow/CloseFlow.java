package dev.courier.mqtt.transport.internal.protocol.flow;

import dev.courier.mqtt.transport.internal.protocol.context.ConnectionContext;
import dev.courier.mqtt.transport.internal.protocol.context.Negotiated;
import dev.courier.mqtt.transport.internal.protocol.context.ProtocolViolation;
import dev.courier.mqtt.transport.internal.protocol.dialect.InboundProperties;
import dev.courier.mqtt.transport.internal.protocol.dialect.ReasonCode;
import dev.courier.mqtt.transport.internal.session.SessionOwner;
import dev.courier.mqtt.transport.internal.session.SessionRegistry;
import dev.courier.mqtt.transport.spi.bridge.Publication;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of a connection: DISCONNECT from the client, takeover by a newer connection, the will,
 * and letting go of the session (ended if clean, detached if persistent).
 */
public final class CloseFlow {

  private static final Logger LOG = LoggerFactory.getLogger(CloseFlow.class);

  private final ConnectionContext context;
  private final SessionOwner owner;
  private Publication will;
  private boolean disconnectReceived;
  private boolean takenOver;
  private boolean closing;

  public CloseFlow(ConnectionContext context, SessionOwner owner) {
    this.context = context;
    this.owner = owner;
  }

  /** The will of the accepted CONNECT, or null. */
  public void will(Publication value) {
    this.will = value;
  }

  /**
   * DISCONNECT from the client: [MQTT-3.14.4-3] a normal DISCONNECT discards the will; on 5.0
   * reason 0x04 keeps it (3.14.2.1), and a Session Expiry Interval may change the session's, but
   * not from 0 [MQTT-3.14.2-2].
   */
  public void onDisconnect(MqttMessage disconnect) {
    int reason = 0;
    InboundProperties properties = InboundProperties.of(null);
    if (disconnect.variableHeader() instanceof MqttReasonCodeAndPropertiesVariableHeader header) {
      reason = header.reasonCode() & 0xFF;
      properties = InboundProperties.of(header.properties());
    }
    long expiry = properties.integer(MqttPropertyType.SESSION_EXPIRY_INTERVAL, -1);
    if (expiry >= 0) {
      // The rule is about what the client sent: a 0 granted under a server maximum of 0 to a
      // client that asked more (sessionExpiryChanged) is no reason to refuse its DISCONNECT.
      Negotiated negotiated = context.negotiated();
      if (negotiated.sessionExpirySeconds() == 0 && !negotiated.sessionExpiryChanged()
          && expiry != 0) {
        throw new ProtocolViolation("MQTT-3.14.2-2",
            "session expiry set at DISCONNECT after 0 at CONNECT");
      }
      context.negotiated(context.negotiated().withSessionExpiry(expiry));
    }
    disconnectReceived = reason != ReasonCode.DISCONNECT_WITH_WILL.value();
    if (disconnectReceived) {
      will = null;
    }
    closing = true;
    context.port().closeAfterClient(); // [MQTT-3.14.4-1] the client closes too
  }

  /** Whether the client said DISCONNECT: nothing after it is read [MQTT-3.14.4-2]. */
  public boolean closing() {
    return closing;
  }

  /** A newer connection claimed the client id: close this one. */
  public void takeOver() {
    if (!context.closed()) {
      takenOver = true;
      context.events().takenOver(context.clientId(), context.port().remoteAddress());
      context.disconnect(ReasonCode.SESSION_TAKEN_OVER, "another connection took the session");
    }
  }

  /**
   * The connection of a connected client closed: publishes the will unless DISCONNECT came, then
   * lets go of the session once publications still being authorized reached it.
   *
   * @param authorization the connection's, which its publications and its will go through
   */
  public void connectedClosed(PublishAuthorization authorization) {
    String clientId = context.clientId();
    if (will != null && !disconnectReceived) {
      // [MQTT-3.1.2-8] the will is published when the connection closes without DISCONNECT: at
      // once, or after its Will Delay Interval, or when the session ends if that comes first
      // [MQTT-3.1.3-9]; not at all if a new connection to the session comes first.
      long delay = context.negotiated().persistentSession()
          ? Math.min(context.willDelaySeconds(), context.negotiated().sessionExpirySeconds()) : 0;
      Publication pending = will;
      if (delay > 0) {
        LOG.debug("Will of client {} on {} due in {} s", clientId, pending.topic(), delay);
        context.parts().registry().wills().schedule(clientId, delay,
            () -> context.onLoop(() -> publishWill(authorization, pending)));
      } else {
        publishWill(authorization, pending);
      }
    }
    context.events().disconnected(clientId, context.port().remoteAddress(),
        disconnectReceived ? "disconnect" : takenOver ? "taken-over"
            : context.serverDisconnect() != null ? "server-" + context.serverDisconnect().name()
            : "connection-lost",
        context.connectedMillis());
    // Publications still with the authorizer, and the will behind them, go to the session
    // before it ends; a successor's takeover waits for that (at most authTimeoutSeconds).
    CompletableFuture<Void> routed = authorization.lastRouted();
    if (routed.isDone()) {
      letGo();
    } else {
      routed.whenComplete((ignored, error) -> context.onLoop(this::letGo));
    }
  }

  private void publishWill(PublishAuthorization authorization, Publication pending) {
    String clientId = context.clientId();
    LOG.debug("Publishing the will of client {} on {}", clientId, pending.topic());
    authorization.publish(pending, 0).exceptionally(error -> {
      Throwable cause = error.getCause() == null ? error : error.getCause();
      if (cause != PublishAuthorization.DENIED) {
        LOG.warn("Will of client {} could not be published: {}", clientId, error.toString());
      }
      return null;
    });
  }

  /** Ends or detaches the session held, and releases the client id. Idempotent. */
  public void letGo() {
    SessionRegistry registry = context.parts().registry();
    if (context.sessionHeld() && context.bridgeSession() != null) {
      if (!context.negotiated().persistentSession()) {
        // [MQTT-3.1.2-6] a clean session ends with its connection; so does a 5.0 session with
        // expiry interval 0 [MQTT-3.1.2-23 ... 3.1.2.11.2].
        context.bridgeSession().close();
        registry.remove(context.session());
      } else {
        context.bridgeSession().detach(context.negotiated().sessionExpirySeconds());
      }
    }
    context.sessionHeld(false);
    registry.release(context.clientId(), owner);
    context.released().complete(null);
  }
}
