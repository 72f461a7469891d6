package dev.courier.mqtt.transport.api;

import java.time.Instant;
import java.util.Objects;

/**
 * A client connected now, as {@link MqttTransport#clients()} saw it: a snapshot taken on the
 * connection's own thread.
 *
 * @param clientId the client identifier (an assigned one for a 3.1.1/5.0 client that sent none)
 * @param username the authenticated user name, or null for an anonymous client
 * @param address the client's address as the transport reports it (the TCP peer, or the client
 *     a trusted WebSocket proxy named)
 * @param protocol {@code 3.1}, {@code 3.1.1} or {@code 5}
 * @param connectedAt when CONNACK accepted it
 * @param keepAliveSeconds the keep alive in force
 * @param cleanStart whether it connected with a clean session (3.1.1) or Clean Start (5.0)
 * @param inFlight QoS 1/2 messages sent to it and not yet acknowledged
 * @since 0.4
 */
public record ConnectedClient(String clientId, String username, String address, String protocol,
    Instant connectedAt, int keepAliveSeconds, boolean cleanStart, int inFlight) {

  public ConnectedClient {
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(protocol, "protocol");
    Objects.requireNonNull(connectedAt, "connectedAt");
  }
}
