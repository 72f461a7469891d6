package dev.courier.mqtt.transport.spi.auth;

import java.util.Set;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Offers MQTT 5.0 enhanced authentication (section 4.12): SASL-style challenge/response methods
 * such as {@code SCRAM-SHA-256}, run over the AUTH packet. Registered as an OSGi service; the
 * transport uses the highest-ranked one. A CONNECT that names an Authentication Method is
 * authenticated only by this service (never by the {@link Authenticator}), and so is every later
 * re-authentication of that connection (section 4.12.1).
 *
 * <p>How the transport drives it: for a CONNECT with a method this service {@link #offers}, it calls
 * {@link #begin} once and then {@link AuthExchange#respond} with the client's Authentication Data
 * (from CONNECT, then from each AUTH the client sends) until a step is final. A method it does not
 * offer gets CONNACK 0x8C Bad authentication method [MQTT-4.12.0-1].
 *
 * <p>Contract, as for {@link Authenticator}: every method is called on a transport event loop and
 * must return at once; slow work (key derivation, a directory lookup) runs on the implementation's
 * own bounded executor and completes the stage later. The whole exchange is bounded by the
 * transport's {@code authTimeoutSeconds}; a thrown exception, an exceptionally completed stage or
 * no answer in time ends it as a refusal (fail closed).
 *
 * @since 0.3
 */
@ConsumerType
public interface EnhancedAuthenticator {

  /**
   * The authentication methods offered, by their MQTT Authentication Method names (e.g. {@code
   * SCRAM-SHA-256}); compared exactly (case-sensitive). Called for every CONNECT with a method, so
   * it must be cheap.
   *
   * @return the method names; empty to offer none for now
   */
  Set<String> methods();

  /**
   * Whether {@code method} is one of {@link #methods()}.
   *
   * @param method an Authentication Method name from a CONNECT
   * @return true to run an exchange for it
   */
  default boolean offers(String method) {
    return methods().contains(method);
  }

  /**
   * Starts one exchange. Must return at once; the first step is asked for with {@link
   * AuthExchange#respond} right after, with the client's initial Authentication Data.
   *
   * @param method one of {@link #methods()}
   * @param credentials what the client presented at CONNECT (user name, password, TLS
   *     certificates, address); the user name and password may be absent. On re-authentication
   *     the same, without the password (the transport does not keep it)
   * @param reauthenticating the identity the connection has now when the client re-authenticates
   *     after CONNACK (AUTH reason code 0x19), or null for a CONNECT
   * @return the exchange; never null
   */
  AuthExchange begin(String method, ConnectCredentials credentials,
      ClientIdentity reauthenticating);
}
