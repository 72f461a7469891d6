package dev.courier.mqtt.transport.api;

import java.net.InetSocketAddress;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The running MQTT transport. Registered as an OSGi service by the transport component while a
 * listener is bound; unregistered when the listener stops. Re-registered with new service
 * properties when a configuration change rebinds the listener.
 *
 * <p>All methods are thread-safe and cheap (they read counters; they never block).
 *
 * @since 0.1
 */
@ProviderType
public interface MqttTransport {

  /** Service property: the port the plain MQTT listener is bound to (an {@code Integer}). */
  String PORT_PROPERTY = "mqtt.port";

  /**
   * Service property, present while the TLS listener is bound: its port (an {@code Integer}).
   *
   * @since 0.2
   */
  String SSL_PORT_PROPERTY = "mqtt.sslPort";

  /** Service property: the host/interface the listener is bound to (a {@code String}). */
  String HOST_PROPERTY = "mqtt.host";

  /**
   * The address the plain-TCP MQTT listener is bound to, with the actual port (useful when the
   * configured port was 0).
   *
   * @return the bound local address
   */
  InetSocketAddress boundAddress();

  /**
   * The number of network connections that completed CONNECT/CONNACK and are still open.
   *
   * @return connected clients, at least 0
   */
  int connectedClients();

  /**
   * The number of sessions the transport holds: connected clients plus persistent sessions of
   * disconnected clients.
   *
   * @return sessions, at least 0
   */
  int sessions();

  /**
   * Name of the bridge in use, e.g. {@code in-memory}, or the host bridge's name.
   *
   * @return bridge name, never null
   */
  String bridgeName();

  /**
   * How many times, since the listener started, reading from a client paused because the client
   * did not read what the transport sent it (its outbound buffer passed {@code deliveryBufferSize}).
   * Reading resumes once the buffer drained to half; meanwhile what that client sends waits in the
   * network, so its acknowledgements cannot grow without bound.
   *
   * @return pauses counted, at least 0
   * @since 0.3
   */
  long outboundReadPauses();

  /**
   * The clients connected now, each described on its connection's thread; a connection that does
   * not answer within a second (its loop is busy) is left out.
   *
   * @return the connected clients, in no particular order
   * @since 0.4
   */
  default java.util.List<ConnectedClient> clients() {
    return java.util.List.of();
  }

  /**
   * Disconnects the client with this id, if it is connected: an MQTT 5.0 client gets DISCONNECT
   * with reason code 0x98 Administrative action and {@code reason} as its Reason String (if it
   * accepts one), a 3.x client is closed. Its will is published, as for any disconnect it did
   * not ask for.
   *
   * @param reason why, for the client (5.0) and the events log; may be null
   * @return whether a connection with that client id was there to disconnect
   * @since 0.4
   */
  default boolean kick(String clientId, String reason) {
    return false;
  }
}
