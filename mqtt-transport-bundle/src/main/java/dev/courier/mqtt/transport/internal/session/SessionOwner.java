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
}
