package dev.courier.mqtt.transport.internal.protocol.flow;

import dev.courier.mqtt.transport.internal.config.TlsConfig;
import dev.courier.mqtt.transport.internal.protocol.context.AccessControl;
import dev.courier.mqtt.transport.internal.protocol.context.ConnectionContext;
import dev.courier.mqtt.transport.internal.protocol.context.ConnectionPort;
import dev.courier.mqtt.transport.internal.protocol.dialect.InboundProperties;
import dev.courier.mqtt.transport.internal.protocol.dialect.ReasonCode;
import dev.courier.mqtt.transport.spi.auth.AuthenticationResult;
import dev.courier.mqtt.transport.spi.auth.Authenticator;
import dev.courier.mqtt.transport.spi.auth.ClientIdentity;
import dev.courier.mqtt.transport.spi.auth.ConnectCredentials;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates a CONNECT through the authenticator in force, asynchronously and bounded by {@code
 * authTimeoutSeconds}; fails closed when one is required and absent. A CONNECT that names an
 * Authentication Method goes to the {@link EnhancedAuthFlow} instead. Sets the identity and the
 * authorizer of the connection.
 */
public final class AuthFlow {

  private static final Logger LOG = LoggerFactory.getLogger(AuthFlow.class);

  private final ConnectionContext context;
  private final Supplier<EnhancedAuthFlow> enhanced;

  /** @param enhanced the connection's enhanced authentication, asked for a CONNECT with a method */
  public AuthFlow(ConnectionContext context, Supplier<EnhancedAuthFlow> enhanced) {
    this.context = context;
    this.enhanced = enhanced;
  }

  /** The decision about {@code connect}; completes on the connection's thread. */
  public CompletableFuture<ConnectOutcome> authenticate(MqttConnectMessage connect) {
    if (context.authMethod() != null) {
      // 4.12: the method's exchange decides, with the user name and password passed along.
      return enhanced.get().connect(credentials(connect), InboundProperties.of(
          connect.variableHeader().properties()).binary(MqttPropertyType.AUTHENTICATION_DATA));
    }
    AccessControl access = context.parts().access();
    Authenticator authenticator = access.authenticator();
    String clientId = context.clientId();
    ConnectionPort port = context.port();
    if (authenticator == null && access.authenticatorRequired()) {
      // Fail closed: authentication is configured but its service is not there (yet, or any more).
      access.countRefusedConnect();
      // DEBUG per client: the component logged the service going away once, at WARN.
      LOG.debug("No authenticator is registered but one is required; CONNECT of client {} from {}"
          + " refused", clientId, port.remoteAddress());
      return CompletableFuture.completedFuture(ConnectOutcome.refused(
          ReasonCode.SERVER_UNAVAILABLE, clientId, "authenticator required and absent"));
    }
    if (authenticator == null) {
      context.authenticated(ClientIdentity.anonymous(clientId), access.authorizer());
      return CompletableFuture.completedFuture(ConnectOutcome.ACCEPTED);
    }
    ConnectCredentials credentials = credentials(connect);
    CompletableFuture<AuthenticationResult> decision =
        context.bounded(() -> authenticator.authenticate(credentials));
    if (decision.isDone()) {
      return CompletableFuture.completedFuture(decide(decision));
    }
    CompletableFuture<ConnectOutcome> outcome = new CompletableFuture<>();
    decision.whenComplete((result, error) ->
        context.onLoop(() -> outcome.complete(decide(decision))));
    return outcome;
  }

  private ConnectCredentials credentials(MqttConnectMessage connect) {
    String username = connect.variableHeader().hasUserName() ? connect.payload().userName() : null;
    byte[] password = connect.variableHeader().hasPassword()
        ? connect.payload().passwordInBytes() : null;
    List<X509Certificate> certificates = context.port().peerCertificates();
    TlsConfig tls = context.config().tls();
    if (tls != null && tls.usernameFromCertificate() && !certificates.isEmpty()) {
      username = commonName(certificates.get(0));
    }
    return new ConnectCredentials(context.clientId(), username, password, certificates,
        context.port().remoteAddress());
  }

  private ConnectOutcome decide(CompletableFuture<AuthenticationResult> decision) {
    AccessControl access = context.parts().access();
    String clientId = context.clientId();
    Throwable error = decision.isCompletedExceptionally()
        ? ConnectionContext.failure(decision) : null;
    AuthenticationResult result = error == null ? decision.getNow(null) : null;
    if (result == null) {
      access.countRefusedConnect();
      LOG.warn("Authentication of client {} from {} failed ({}); refused", clientId,
          context.port().remoteAddress(), error == null ? "no decision" : error.toString());
      return ConnectOutcome.refused(ReasonCode.SERVER_UNAVAILABLE, clientId,
          "authenticator failed or timed out");
    }
    switch (result.outcome()) {
      case ACCEPTED -> {
        context.authenticated(new ClientIdentity(clientId, result.username(), result.roles()),
            access.authorizer());
        return ConnectOutcome.ACCEPTED;
      }
      case BAD_CREDENTIALS -> {
        access.countRefusedConnect();
        return ConnectOutcome.refused(ReasonCode.BAD_USER_NAME_OR_PASSWORD, clientId,
            result.reason());
      }
      default -> {
        access.countRefusedConnect();
        return ConnectOutcome.refused(ReasonCode.NOT_AUTHORIZED, clientId, result.reason());
      }
    }
  }

  /** The CN of a certificate's subject, or null if it has none. */
  public static String commonName(X509Certificate certificate) {
    try {
      LdapName name = new LdapName(certificate.getSubjectX500Principal().getName());
      for (Rdn rdn : name.getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          return String.valueOf(rdn.getValue());
        }
      }
    } catch (InvalidNameException e) {
      LOG.debug("Unparseable certificate subject: {}", e.getMessage());
    }
    return null;
  }
}
