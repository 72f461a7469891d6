package dev.courier.mqtt.transport.internal.protocol;

import dev.courier.mqtt.transport.internal.protocol.context.AccessControl;
import dev.courier.mqtt.transport.internal.protocol.context.TransportStatistics;
import dev.courier.mqtt.transport.internal.bridge.memory.InMemoryBridge;
import dev.courier.mqtt.transport.internal.config.TransportConfig;
import dev.courier.mqtt.transport.internal.session.SessionRegistry;
import dev.courier.mqtt.transport.spi.bridge.MessagingBridge;
import java.util.ArrayList;
import java.util.List;

/**
 * The real session registry and in-memory bridge, a {@link TestLoop} shared by every connection
 * (one event loop), and {@link TestClient}s made on them.
 */
final class EngineFixture implements AutoCloseable {

  final TestLoop loop = new TestLoop();
  final SessionRegistry registry = new SessionRegistry();
  final InMemoryBridge bridge = new InMemoryBridge();
  final TransportConfig config;
  /** The authenticator and authorizer every client of this fixture is made with. */
  final AccessControl access;
  /** The counters every client of this fixture shares, as the connections of a transport do. */
  final TransportStatistics statistics = new TransportStatistics();
  private final List<TestClient> clients = new ArrayList<>();

  EngineFixture() {
    this(TransportConfig.defaults());
  }

  EngineFixture(TransportConfig config) {
    this(config, AccessControl.open());
  }

  EngineFixture(TransportConfig config, AccessControl access) {
    this.config = config;
    this.access = access;
  }

  /** Defaults with the given bounds. */
  static TransportConfig config(int maxClientIdLength, int maxInflightMessages,
      int maxQueuedMessages) {
    return TransportConfig.builder().maxClientIdLength(maxClientIdLength)
        .maxInflightMessages(maxInflightMessages).maxQueuedMessages(maxQueuedMessages).build();
  }

  /** Defaults with the given {@code authTimeoutSeconds}. */
  static TransportConfig withAuthTimeout(int authTimeoutSeconds) {
    return TransportConfig.builder().authTimeoutSeconds(authTimeoutSeconds).build();
  }

  /** A new, not yet connected client on the in-memory bridge. */
  TestClient client() {
    return client(bridge);
  }

  /** A new, not yet connected client whose engine uses {@code messaging}. */
  TestClient client(MessagingBridge messaging) {
    TestClient client = new TestClient(this, messaging);
    clients.add(client);
    return client;
  }

  /** A client that has connected and read its CONNACK. */
  TestClient connected(String clientId, boolean cleanSession) {
    TestClient client = client();
    client.connect(clientId, cleanSession);
    return client;
  }

  @Override
  public void close() {
    clients.forEach(TestClient::dispose);
    loop.runAll();
    bridge.shutdown();
  }
}
