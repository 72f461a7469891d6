package dev.courier.mqtt.transport.internal.protocol.flow;

import dev.courier.mqtt.transport.internal.protocol.context.AccessControl;
import dev.courier.mqtt.transport.internal.protocol.context.ConnectionContext;
import dev.courier.mqtt.transport.internal.protocol.context.ProtocolViolation;
import dev.courier.mqtt.transport.internal.protocol.context.ReadGate;
import dev.courier.mqtt.transport.internal.protocol.dialect.ReasonCode;
import dev.courier.mqtt.transport.spi.auth.AuthExchange;
import dev.courier.mqtt.transport.spi.auth.AuthStep;
import dev.courier.mqtt.transport.spi.auth.ClientIdentity;
import dev.courier.mqtt.transport.spi.auth.ConnectCredentials;
import dev.courier.mqtt.transport.spi.auth.EnhancedAuthenticator;
import io.netty.handler.codec.mqtt.MqttMessage;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MQTT 5.0 enhanced authentication of one connection (section 4.12): the AUTH exchange of a
 * CONNECT that names an Authentication Method, and every re-authentication after CONNACK (4.12.1),
 * through the enhanced authenticator in force. Checks each AUTH the client sends, answers each step
 * (AUTH 0x18, CONNACK, AUTH 0x00, DISCONNECT) and fails closed. Used on the connection's thread only.
 */
public final class EnhancedAuthFlow implements AuthRun.Listener {

  private static final Logger LOG = LoggerFactory.getLogger(EnhancedAuthFlow.class);

  private final ConnectionContext context;
  /** The exchange in progress, or null. */
  private AuthRun run;
  /** The CONNECT's decision while its exchange runs; null for a re-authentication. */
  private CompletableFuture<ConnectOutcome> outcome;
  /** What the client presented at CONNECT, without the password: for re-authentication. */
  private ConnectCredentials credentials;

  public EnhancedAuthFlow(ConnectionContext context) {
    this.context = context;
  }

  /**
   * Authenticates a CONNECT whose Authentication Method is {@code context.authMethod()}: 0x8C if no
   * enhanced authenticator offers it [MQTT-4.12.0-1] (0x88 while no authenticator at all is there
   * and one is required, as {@link AuthFlow} does). Completes on the connection's thread.
   *
   * @param presented the CONNECT's credentials
   * @param data its Authentication Data, or null
   */
  public CompletableFuture<ConnectOutcome> connect(ConnectCredentials presented, byte[] data) {
    AccessControl access = context.parts().access();
    EnhancedAuthenticator authenticator = access.enhancedAuthenticator();
    credentials = new ConnectCredentials(presented.clientId(), presented.username(), null,
        presented.peerCertificates(), presented.remoteAddress());
    if (!offers(authenticator)) {
      access.countRefusedConnect();
      boolean failClosed = authenticator == null && access.authenticator() == null
          && access.authenticatorRequired();
      return CompletableFuture.completedFuture(failClosed
          ? ConnectOutcome.refused(ReasonCode.SERVER_UNAVAILABLE, context.clientId(),
              "authenticator required and absent")
          : ConnectOutcome.refused(ReasonCode.BAD_AUTHENTICATION_METHOD, context.clientId(),
              "authentication method " + context.authMethod() + " not offered"));
    }
    outcome = new CompletableFuture<>();
    CompletableFuture<ConnectOutcome> decision = outcome;
    begin(authenticator, presented, null, data);
    return decision;
  }

  /**
   * A packet that arrived before the CONNACK of a CONNECT with an Authentication Method: only AUTH
   * and DISCONNECT may [MQTT-3.1.2-30].
   *
   * @throws ProtocolViolation for anything else, or a wrong AUTH
   */
  public void beforeConnAck(MqttMessage message) {
    switch (message.fixedHeader().messageType()) {
      case AUTH -> onAuth(message);
      case DISCONNECT -> {
        LOG.debug("Client {} disconnected during its authentication", context.clientId());
        context.port().close();
      }
      case CONNECT -> throw new ProtocolViolation("MQTT-3.1.0-2", "second CONNECT");
      default -> throw new ProtocolViolation("MQTT-3.1.2-30",
          message.fixedHeader().messageType() + " before CONNACK of an enhanced authentication");
    }
  }

  /**
   * An AUTH from the client (section 3.15): the answer to a challenge (0x18) or, after CONNACK, the
   * start of a re-authentication (0x19).
   *
   * @throws ProtocolViolation for an AUTH the exchange does not expect
   */
  public void onAuth(MqttMessage message) {
    AuthPacket auth = AuthPacket.read(message, context.authMethod());
    if (auth.code() == ReasonCode.CONTINUE_AUTHENTICATION) {
      if (run == null || !run.awaitsClient()) {
        // [MQTT-4.12.0-3] the client answers the server's AUTH, and only that.
        throw new ProtocolViolation("MQTT-4.12.0-3", "AUTH 0x18 without a challenge to answer");
      }
      if (!context.acknowledged()) {
        context.gate().pause(ReadGate.Reason.CONNECTING); // until the next challenge or CONNACK
      }
      run.respond(auth.data());
    } else if (run == null && context.acknowledged()) {
      reauthenticate(auth.data());
    } else {
      throw new ProtocolViolation("MQTT-4.12.1-1",
          "AUTH 0x19 before CONNACK or during an exchange");
    }
  }

  /**
   * The connection closed or is being closed for a violation: the exchange in progress is
   * abandoned and the CONNECT's decision is gone. Idempotent.
   */
  public void closed() {
    CompletableFuture<ConnectOutcome> pending = finish(true);
    if (pending != null) {
      pending.complete(ConnectOutcome.GONE);
    }
  }

  private void reauthenticate(byte[] data) {
    EnhancedAuthenticator authenticator = context.parts().access().enhancedAuthenticator();
    LOG.debug("Client {} re-authenticates with {}", context.clientId(), context.authMethod());
    if (!offers(authenticator)) {
      // The service went away, or dropped the method, since CONNECT.
      deny(ReasonCode.BAD_AUTHENTICATION_METHOD, ReasonCode.BAD_AUTHENTICATION_METHOD,
          "authentication method no longer offered", false);
      return;
    }
    begin(authenticator, credentials, context.identity(), data);
  }

  private void begin(EnhancedAuthenticator authenticator, ConnectCredentials presented,
      ClientIdentity current, byte[] data) {
    AuthExchange exchange = null;
    try {
      exchange = authenticator.begin(context.authMethod(), presented, current);
    } catch (RuntimeException e) {
      LOG.warn("Enhanced authenticator failed to begin for client {}", context.clientId(), e);
    }
    if (exchange == null) {
      deny(ReasonCode.SERVER_UNAVAILABLE, ReasonCode.NOT_AUTHORIZED, "authenticator failed",
          false);
      return;
    }
    run = new AuthRun(context, exchange, this);
    run.respond(data == null ? new byte[0] : data);
  }

  @Override
  public void step(AuthStep step) {
    switch (step.kind()) {
      case CONTINUE -> {
        run.awaitClient();
        // [MQTT-4.12.0-2] the server asks for more with AUTH 0x18, naming the method.
        context.send(context.writer().auth(ReasonCode.CONTINUE_AUTHENTICATION,
            context.authMethod(), step.data()));
        context.gate().resume(ReadGate.Reason.CONNECTING); // read the answer (before CONNACK)
      }
      case SUCCESS -> succeed(step);
      case FAILURE -> deny(connAckCode(step.failure()),
          step.failure() == AuthStep.Failure.BAD_AUTHENTICATION_METHOD
              ? ReasonCode.BAD_AUTHENTICATION_METHOD : ReasonCode.NOT_AUTHORIZED,
          step.reason(), false);
      default -> throw new IllegalStateException(step.kind().name());
    }
  }

  private void succeed(AuthStep step) {
    ClientIdentity who = new ClientIdentity(context.clientId(), step.username(), step.roles());
    CompletableFuture<ConnectOutcome> pending = finish(false);
    if (pending != null) {
      context.authenticated(who, context.parts().access().authorizer());
      pending.complete(ConnectOutcome.ACCEPTED.withAuthData(step.data()));
      return;
    }
    // 4.12.1: later authorization decisions use the new identity; the authorizer stays.
    context.authenticated(who, context.authorizer());
    context.send(context.writer().auth(ReasonCode.SUCCESS, context.authMethod(), step.data()));
    LOG.info("Client {} re-authenticated as '{}' with {}", context.clientId(), who.username(),
        context.authMethod());
  }

  @Override
  public void fault(String why) {
    LOG.warn("Enhanced authentication of client {} from {} failed ({}); refused",
        context.clientId(), context.port().remoteAddress(), why);
    deny(ReasonCode.SERVER_UNAVAILABLE, ReasonCode.NOT_AUTHORIZED,
        "authenticator failed or timed out", true);
  }

  @Override
  public void clientTimedOut(int seconds) {
    deny(ReasonCode.NOT_AUTHORIZED, ReasonCode.NOT_AUTHORIZED,
        "authentication not completed within " + seconds + " s", true);
  }

  /**
   * Refuses: CONNACK {@code connAck} for a CONNECT, or DISCONNECT {@code disconnect} after a failed
   * re-authentication [MQTT-4.12.1-2].
   */
  private void deny(ReasonCode connAck, ReasonCode disconnect, String reason, boolean abandon) {
    CompletableFuture<ConnectOutcome> pending = finish(abandon);
    if (pending != null) {
      context.parts().access().countRefusedConnect();
      pending.complete(ConnectOutcome.refused(connAck, context.clientId(), reason));
    } else {
      LOG.debug("Re-authentication of client {} refused: {} ({})", context.clientId(), disconnect,
          reason);
      context.disconnect(disconnect, reason);
    }
  }

  /** Ends the exchange in progress (if any); returns the CONNECT's decision still to make. */
  private CompletableFuture<ConnectOutcome> finish(boolean abandon) {
    if (run != null) {
      run.end(abandon);
      run = null;
    }
    CompletableFuture<ConnectOutcome> pending = outcome;
    outcome = null;
    return pending;
  }

  private boolean offers(EnhancedAuthenticator authenticator) {
    try {
      return authenticator != null && authenticator.offers(context.authMethod());
    } catch (RuntimeException e) {
      LOG.warn("Enhanced authenticator failed to say whether it offers {}", context.authMethod(),
          e);
      return false;
    }
  }

  private static ReasonCode connAckCode(AuthStep.Failure failure) {
    return switch (failure) {
      case BAD_CREDENTIALS -> ReasonCode.BAD_USER_NAME_OR_PASSWORD;
      case NOT_AUTHORIZED -> ReasonCode.NOT_AUTHORIZED;
      case BAD_AUTHENTICATION_METHOD -> ReasonCode.BAD_AUTHENTICATION_METHOD;
    };
  }
}
