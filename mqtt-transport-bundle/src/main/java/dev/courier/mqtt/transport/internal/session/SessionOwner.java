package dev.courier.mqtt.transport.internal.session;

import java.util.concurrent.CompletionStage;

/** A live connection that holds a client id, as seen by the {@link SessionRegistry}. */
public interface SessionOwner {

  /**
   * Another connection with the same client id connected [MQTT-3.1.4-2]: close this one (its will
   * is published, as for any close not caused by DISCONNECT) and let go of the session.
   *
   * @return completes, on any thread, once this connection no longer touches the session
   */
  CompletionStage<Void> takeOver();

  /**
   * Describes this connection, on its own thread.
   *
   * @return completes with the description, or with null if the client is not connected (any more)
   */
  default CompletionStage<ClientSnapshot> describe() {
    return java.util.concurrent.CompletableFuture.completedFuture(null);
  }

  /**
   * Disconnects the client for an administrator (0x98 on 5.0, a close on 3.x), on its own thread.
   *
   * @param reason the Reason String, or null
   */
  default void kick(String reason) {}
}
