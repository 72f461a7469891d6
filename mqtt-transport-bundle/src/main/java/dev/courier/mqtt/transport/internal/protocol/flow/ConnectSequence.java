package dev.courier.mqtt.transport.internal.protocol.flow;

import dev.courier.mqtt.transport.internal.protocol.context.ConnectionContext;
import dev.courier.mqtt.transport.internal.protocol.context.ProtocolViolation;
import dev.courier.mqtt.transport.internal.protocol.context.ReadGate;
import dev.courier.mqtt.transport.internal.protocol.dialect.ReasonCode;
import dev.courier.mqtt.transport.internal.session.SessionOwner;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The CONNECT exchange up to CONNACK: read the CONNECT, pause reading [MQTT-3.1.4-5], authenticate,
 * open the session. Each step may refuse; the result says what to answer.
 */
public final class ConnectSequence {

  private final ConnectionContext context;
  private final SessionOwner owner;
  private final Supplier<EnhancedAuthFlow> enhanced;

  /**
   * @param enhanced the connection's enhanced authentication, for a CONNECT with a method (asked
   *     for only then)
   */
  public ConnectSequence(ConnectionContext context, SessionOwner owner,
      Supplier<EnhancedAuthFlow> enhanced) {
    this.context = context;
    this.owner = owner;
    this.enhanced = enhanced;
  }

  /**
   * Runs the exchange; completes on the connection's thread with a refusal, {@link
   * ConnectOutcome#GONE}, or an accepted outcome whose session is open.
   *
   * @throws ProtocolViolation for a CONNECT the spec calls a protocol error
   */
  public CompletableFuture<ConnectOutcome> run(MqttConnectMessage connect) {
    ConnectOutcome read = new ConnectFlow(context).read(connect);
    if (!read.accepted()) {
      return CompletableFuture.completedFuture(read);
    }
    context.gate().pause(ReadGate.Reason.CONNECTING);
    return new AuthFlow(context, enhanced).authenticate(connect).thenCompose(decided -> {
      if (context.closed()) {
        return CompletableFuture.completedFuture(ConnectOutcome.GONE); // nothing claimed yet
      }
      if (!decided.accepted()) {
        return CompletableFuture.completedFuture(decided);
      }
      return new SessionOpenFlow(context, owner).open().thenApply(opened -> switch (opened) {
        case GONE -> ConnectOutcome.GONE;
        case REFUSED -> ConnectOutcome.refused(ReasonCode.SERVER_UNAVAILABLE,
            context.clientId(), "bridge unavailable");
        case RESUMED -> read.opened(true).withAuthData(decided.authData());
        case OPENED -> read.opened(false).withAuthData(decided.authData());
      });
    });
  }
}
