package dev.courier.mqtt.transport.internal.protocol.context;

import dev.courier.mqtt.transport.internal.config.Requirements;
import dev.courier.mqtt.transport.internal.protocol.dialect.ReasonCode;
import dev.courier.mqtt.transport.spi.auth.Authenticator;
import dev.courier.mqtt.transport.spi.auth.Authorizer;
import dev.courier.mqtt.transport.spi.auth.EnhancedAuthenticator;
import java.util.concurrent.atomic.LongAdder;

/**
 * The authenticator, enhanced authenticator and authorizer in force for new connections, and the counters of their
 * refusals. Services come and go at runtime (set by the component from any thread); a connection
 * takes the ones present when its CONNECT arrives and keeps them.
 */
public final class AccessControl {

  private volatile Authenticator authenticator;
  private volatile Authorizer authorizer;
  private volatile EnhancedAuthenticator enhancedAuthenticator;
  private volatile boolean authenticatorRequired;
  private volatile boolean authorizerRequired;
  private volatile ReasonCode refusalCode = ReasonCode.NOT_AUTHORIZED;
  private final LongAdder refusedConnects = new LongAdder();
  private final LongAdder deniedPublications = new LongAdder();
  private final LongAdder deniedSubscriptions = new LongAdder();

  /** Access control with no services: everybody connects anonymously and may use any topic. */
  public static AccessControl open() {
    return new AccessControl();
  }

  public Authenticator authenticator() {
    return authenticator;
  }

  public void authenticator(Authenticator service) {
    this.authenticator = service;
  }

  /** The service offering MQTT 5.0 enhanced authentication methods, or null. */
  public EnhancedAuthenticator enhancedAuthenticator() {
    return enhancedAuthenticator;
  }

  public void enhancedAuthenticator(EnhancedAuthenticator service) {
    this.enhancedAuthenticator = service;
  }

  public Authorizer authorizer() {
    return authorizer;
  }

  public void authorizer(Authorizer service) {
    this.authorizer = service;
  }

  /**
   * Whether an authenticator must be present: while none is, every CONNECT is refused with "server
   * unavailable" instead of being let in as anonymous (fail closed).
   */
  public boolean authenticatorRequired() {
    return authenticatorRequired;
  }

  public void authenticatorRequired(boolean required) {
    this.authenticatorRequired = required;
  }

  /**
   * Whether an authorizer must be present: while none is, PUBLISH and SUBSCRIBE are refused
   * instead of every topic being open (fail closed).
   */
  public boolean authorizerRequired() {
    return authorizerRequired;
  }

  public void authorizerRequired(boolean required) {
    this.authorizerRequired = required;
  }

  /**
   * The MQTT 5.0 reason code of a refused PUBLISH (PUBACK/PUBREC) or SUBSCRIBE filter (SUBACK):
   * 0x87 Not authorized, or 0x80 Unspecified error when refusals are not to be told apart.
   */
  public ReasonCode refusalCode() {
    return refusalCode;
  }

  public void refusal(Requirements.Refusal refusal) {
    this.refusalCode = refusal == Requirements.Refusal.UNSPECIFIED
        ? ReasonCode.UNSPECIFIED_ERROR : ReasonCode.NOT_AUTHORIZED;
  }

  /** Whether the authorizer is required and absent now: publications and subscriptions refused. */
  public boolean authorizerMissing() {
    return authorizerRequired && authorizer == null;
  }

  public void countRefusedConnect() {
    refusedConnects.increment();
  }

  public void countDeniedPublication() {
    deniedPublications.increment();
  }

  public void countDeniedSubscription() {
    deniedSubscriptions.increment();
  }

  /** CONNECTs refused by the authenticator (or for its failure or timeout) since start. */
  public long refusedConnects() {
    return refusedConnects.sum();
  }

  /** PUBLISHes dropped because the authorizer refused them, since start. */
  public long deniedPublications() {
    return deniedPublications.sum();
  }

  /** SUBSCRIBE filters refused by the authorizer, since start. */
  public long deniedSubscriptions() {
    return deniedSubscriptions.sum();
  }
}
