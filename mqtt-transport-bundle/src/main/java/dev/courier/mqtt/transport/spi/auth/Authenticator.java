package dev.courier.mqtt.transport.spi.auth;

import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Decides whether a CONNECT may proceed. Registered as an OSGi service; the transport uses the
 * highest-ranked one.
 *
 * <p>Contract: called on a transport event loop, so it must return at once; anything slow (a JAAS
 * login, a directory lookup) runs on the implementation's own bounded executor and completes the
 * stage later. It makes exactly one decision per call and should not throw; a thrown exception, an
 * exceptionally completed stage or no answer within the transport's timeout is taken as a refusal.
 *
 * @since 0.2
 */
@ConsumerType
public interface Authenticator {

  /**
   * Authenticates a connecting client.
   *
   * @param credentials what the client presented
   * @return the decision
   */
  CompletionStage<AuthenticationResult> authenticate(ConnectCredentials credentials);
}
