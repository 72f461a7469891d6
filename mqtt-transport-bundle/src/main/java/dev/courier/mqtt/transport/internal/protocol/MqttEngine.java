package dev.courier.mqtt.transport.internal.protocol;

import dev.courier.mqtt.transport.internal.protocol.context.TransportStatistics;
import dev.courier.mqtt.transport.internal.protocol.context.AccessControl;
import dev.courier.mqtt.transport.internal.protocol.context.ConnectionPort;
import dev.courier.mqtt.transport.internal.config.TransportConfig;
import dev.courier.mqtt.transport.internal.session.SessionRegistry;
import dev.courier.mqtt.transport.internal.topic.ReservedTopics;
import dev.courier.mqtt.transport.spi.bridge.MessagingBridge;

/**
 * The protocol engine of one running transport, and its one front door: the network layer sees
 * only this and {@link ConnectionPort}. It holds what every connection shares (the settings, the
 * sessions, the bridge, access control, the topics closed to clients, the counters) and makes the
 * engine of each new connection. Immutable; a configuration change makes a new engine over the same
 * sessions and counters ({@link #withConfig}).
 */
public final class MqttEngine {

  private final TransportConfig config;
  private final SessionRegistry registry;
  private final MessagingBridge bridge;
  private final AccessControl access;
  private final ReservedTopics reserved;
  private final TransportStatistics statistics;

  /**
   * An engine over {@code bridge}, reserving what it declares.
   *
   * @param config the transport settings
   * @param registry sessions and their owners
   * @param bridge where messages go
   * @param access the authenticator and authorizer in force, and whether they are required
   * @param statistics the transport's counters
   * @throws IllegalArgumentException if the bridge declares an invalid reserved topic filter (a
   *     bridge fault)
   */
  public MqttEngine(TransportConfig config, SessionRegistry registry, MessagingBridge bridge,
      AccessControl access, TransportStatistics statistics) {
    this(config, registry, bridge, access, ReservedTopics.of(bridge.reservedTopics()), statistics);
  }

  /** An engine with its own counters: for tests and tools. */
  public MqttEngine(TransportConfig config, SessionRegistry registry, MessagingBridge bridge,
      AccessControl access) {
    this(config, registry, bridge, access, new TransportStatistics());
  }

  private MqttEngine(TransportConfig config, SessionRegistry registry, MessagingBridge bridge,
      AccessControl access, ReservedTopics reserved, TransportStatistics statistics) {
    this.config = config;
    this.registry = registry;
    this.bridge = bridge;
    this.access = access;
    this.reserved = reserved;
    this.statistics = statistics;
  }

  /** The same engine with other settings; connections made before keep theirs. */
  public MqttEngine withConfig(TransportConfig next) {
    return new MqttEngine(next, registry, bridge, access, reserved, statistics);
  }

  /**
   * The engine of a new network connection. Call on the connection's own thread.
   *
   * @param port the connection
   * @return its engine, which the network layer feeds packets and events
   */
  public MqttConnection newConnection(ConnectionPort port) {
    return new MqttConnection(port, this);
  }

  public TransportConfig config() {
    return config;
  }

  public MessagingBridge bridge() {
    return bridge;
  }

  public TransportStatistics statistics() {
    return statistics;
  }

  /** Connections that completed CONNECT/CONNACK and are open. */
  public int connectedClients() {
    return registry.connectedCount();
  }

  /** Sessions held: connected clients and persistent sessions of absent ones. */
  public int sessions() {
    return registry.sessionCount();
  }

  SessionRegistry registry() {
    return registry;
  }

  AccessControl access() {
    return access;
  }

  ReservedTopics reserved() {
    return reserved;
  }
}
