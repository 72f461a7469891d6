package dev.courier.mqtt.transport.spi.auth;

import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * One enhanced-authentication exchange of one client connection, made by {@link
 * EnhancedAuthenticator#begin}. It holds the method's state between the client's messages.
 *
 * <p>The transport calls {@link #respond} first with the client's initial Authentication Data and
 * then, after each {@link AuthStep.Kind#CONTINUE} step, with the data of the client's next AUTH
 * packet; never twice at once, and never again after a final step. All calls come from the
 * connection's event loop and must return at once; the stage may complete on any thread.
 *
 * @since 0.3
 */
@ConsumerType
public interface AuthExchange {

  /**
   * The next step after the client sent {@code data}.
   *
   * @param data the client's Authentication Data (empty if its packet carried none); the array is
   *     the exchange's to keep but must not be logged
   * @return completes with a challenge for the client, a success or a failure
   */
  CompletionStage<AuthStep> respond(byte[] data);

  /**
   * The exchange ended without a final step: the client went away or broke the protocol, or the
   * exchange ran out of time. Called once, on the event loop; a late answer to {@link #respond}
   * is ignored. Releases what the exchange holds; by default nothing.
   */
  default void abandon() {}
}
