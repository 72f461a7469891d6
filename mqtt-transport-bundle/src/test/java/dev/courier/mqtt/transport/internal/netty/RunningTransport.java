package dev.courier.mqtt.transport.internal.netty;

import dev.courier.mqtt.transport.internal.bridge.memory.InMemoryBridge;
import dev.courier.mqtt.transport.internal.config.TransportConfig;
import dev.courier.mqtt.transport.internal.protocol.context.AccessControl;
import dev.courier.mqtt.transport.internal.protocol.MqttEngine;
import dev.courier.mqtt.transport.internal.protocol.context.TransportStatistics;
import dev.courier.mqtt.transport.internal.session.SessionRegistry;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttException;

/** A transport bound to a free loopback port with the in-memory bridge, for tests. */
final class RunningTransport implements AutoCloseable {

  final SessionRegistry registry = new SessionRegistry();
  final InMemoryBridge bridge = new InMemoryBridge();
  final NettyTransport transport;
  final TransportStatistics statistics = new TransportStatistics();
  final TransportConfig config;

  RunningTransport() {
    this(withPort(TransportConfig.defaults(), 0));
  }

  RunningTransport(TransportConfig config) {
    this(config, new NettyTransport());
  }

  /** With the memory read from {@code gauge}, for tests that play memory pressure. */
  RunningTransport(TransportConfig config, MemoryGauge gauge) {
    this(config, new NettyTransport(gauge));
  }

  RunningTransport(TransportConfig config, NettyTransport transport) {
    this.transport = transport;
    this.config = config;
    rebind(config);
  }

  /** Rebinds the listener with other settings, open access control. */
  void rebind(TransportConfig next) {
    rebind(next, AccessControl.open());
  }

  /** Rebinds the listener with other settings and access control. */
  void rebind(TransportConfig next, AccessControl access) {
    transport.rebind(new MqttEngine(next, registry, bridge, access, statistics));
  }

  /**
   * Rebinds with {@code access} and the engine's connection events going to {@code events}.
   *
   * @return the engine bound
   */
  MqttEngine rebindWithEvents(AccessControl access, java.util.function.Consumer<String> events) {
    MqttEngine engine = new MqttEngine(config, registry, bridge, access, statistics)
        .withEvents(dev.courier.mqtt.transport.internal.protocol.context.ConnectionEvents
            .to(events));
    transport.rebind(engine);
    return engine;
  }

  /**
   * Access control whose authenticator lets every user name in (an anonymous client too), except
   * {@code refused}, which gets bad credentials.
   */
  static AccessControl usersExcept(String refused) {
    AccessControl access = AccessControl.open();
    access.authenticator(credentials -> java.util.concurrent.CompletableFuture.completedFuture(
        credentials.username() == null
            ? dev.courier.mqtt.transport.spi.auth.AuthenticationResult.anonymous()
            : credentials.username().equals(refused)
                ? dev.courier.mqtt.transport.spi.auth.AuthenticationResult.badCredentials(
                    "wrong password")
                : dev.courier.mqtt.transport.spi.auth.AuthenticationResult.accepted(
                    credentials.username(), java.util.Set.of())));
    return access;
  }

  /** {@code c} on loopback and {@code port}. */
  static TransportConfig withPort(TransportConfig c, int port) {
    return c.toBuilder().host("127.0.0.1").port(port).build();
  }

  /** The defaults on loopback and a free port, to change some more. */
  static TransportConfig.Builder loopback() {
    return TransportConfig.builder().host("127.0.0.1").port(0);
  }

  int port() {
    return transport.boundAddress().getPort();
  }

  String uri() {
    return "tcp://127.0.0.1:" + port();
  }

  /** Drops and closes test clients, best effort, before the transport goes. */
  static void closeClients(Iterable<MqttClient> clients) {
    for (MqttClient client : clients) {
      try {
        if (client.isConnected()) {
          client.disconnectForcibly(100, 100);
        }
        client.close(true);
      } catch (MqttException ignored) {
        // best effort
      }
    }
  }

  @Override
  public void close() {
    transport.shutdown();
    bridge.shutdown();
  }
}
