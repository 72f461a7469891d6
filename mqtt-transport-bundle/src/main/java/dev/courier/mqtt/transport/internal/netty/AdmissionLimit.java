package dev.courier.mqtt.transport.internal.netty;

import io.netty.handler.codec.mqtt.MqttConnectReturnCode;

/**
 * A limit that refuses new connections at admission, before the engine sees them ({@code
 * maxConnections}, {@code maxConnectRate}, memory pressure): whether it refuses one now, what the
 * refused client is told, and who counts it. A refused connection gets an {@link OverLimitHandler}.
 * Implementations are thread-safe: every worker loop admits connections.
 */
interface AdmissionLimit {

  /**
   * Whether a new connection is refused now. Called once per connection, in the order of the
   * listener's limits until one refuses; a limit that counts admissions (the rate) counts this one
   * when it says no.
   */
  boolean refusesNew();

  /** The CONNACK code a refused MQTT 5.0 client gets; 3.1/3.1.1 clients get 3. */
  MqttConnectReturnCode mqtt5Code();

  /** Counts one refused CONNECT of {@code clientId} and logs it (DEBUG, and WARN throttled). */
  void refused(String clientId);
}
