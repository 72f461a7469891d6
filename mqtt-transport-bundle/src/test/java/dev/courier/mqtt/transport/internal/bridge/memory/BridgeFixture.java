package dev.courier.mqtt.transport.internal.bridge.memory;

import dev.courier.mqtt.transport.spi.bridge.BridgeSession;
import dev.courier.mqtt.transport.spi.bridge.Delivery;
import dev.courier.mqtt.transport.spi.bridge.DeliverySink;
import dev.courier.mqtt.transport.spi.bridge.MessageProperties;
import dev.courier.mqtt.transport.spi.bridge.Publication;
import dev.courier.mqtt.transport.spi.bridge.SessionRequest;
import dev.courier.mqtt.transport.spi.bridge.SubscriptionRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An {@link InMemoryBridge} on a fake clock whose sweep never runs by itself (tests call {@link
 * InMemoryBridge#sweep()}), and clients that talk to it through the bridge SPI only.
 */
final class BridgeFixture implements AutoCloseable {

  static final long T0 = 1_700_000_000_000L;
  static final int MAX_QUEUED = 100;

  final AtomicLong clock = new AtomicLong(T0);
  final InMemoryBridge bridge;

  BridgeFixture() {
    this(3_600_000);
  }

  BridgeFixture(long sweepPeriodMillis) {
    bridge = new InMemoryBridge(clock::get, sweepPeriodMillis);
  }

  /** A connected client with a session that ends with its connection. */
  Client connect(String clientId) {
    return connect(clientId, true, 0);
  }

  /** A connected client: the session opened as asked and attached. */
  Client connect(String clientId, boolean cleanStart, long sessionExpirySeconds) {
    return connect(clientId, cleanStart, sessionExpirySeconds, MAX_QUEUED);
  }

  Client connect(String clientId, boolean cleanStart, long sessionExpirySeconds, int maxQueued) {
    BridgeSession session = join(bridge.openSession(
        new SessionRequest(clientId, cleanStart, maxQueued, sessionExpirySeconds)));
    Client client = new Client(clientId, session);
    session.attach(client.sink);
    return client;
  }

  void advance(long millis) {
    clock.addAndGet(millis);
  }

  /** Properties with every field set, expiring at {@code expiresAtMillis} (0: never). */
  static MessageProperties properties(long expiresAtMillis) {
    return new MessageProperties(1, "text/plain", "reply/here", new byte[] {7, 8},
        List.of(new MessageProperties.UserProperty("k", "v"),
            new MessageProperties.UserProperty("k", "w")), expiresAtMillis);
  }

  static MessageProperties expiringAt(long expiresAtMillis) {
    return MessageProperties.NONE.withExpiry(expiresAtMillis);
  }

  static SubscriptionRequest subscription(String filter, int qos, boolean noLocal,
      boolean retainAsPublished, int retainHandling, int id) {
    return new SubscriptionRequest(filter, qos, noLocal, retainAsPublished, retainHandling, id);
  }

  /** A shared subscription {@code $share/{shareName}/{filter}} (MQTT 5.0 section 4.8.2). */
  static SubscriptionRequest shared(String shareName, String filter, int qos,
      boolean retainAsPublished, int id) {
    return new SubscriptionRequest(filter, qos, false, retainAsPublished, 0, id, shareName);
  }

  static <T> T join(CompletionStage<T> stage) {
    return stage.toCompletableFuture().join();
  }

  static String text(Delivery delivery) {
    return new String(delivery.payload(), StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    bridge.shutdown();
  }

  /** One client: its bridge session and the sink it attached. */
  static final class Client {
    final String clientId;
    final BridgeSession session;
    final AtomicInteger signals = new AtomicInteger();
    final DeliverySink sink = signals::incrementAndGet;

    Client(String clientId, BridgeSession session) {
      this.clientId = clientId;
      this.session = session;
    }

    void publish(String topic, String payload, int qos, boolean retain,
        MessageProperties properties) {
      join(session.publish(new Publication(topic, payload.getBytes(StandardCharsets.UTF_8), qos,
          retain, clientId, properties)));
    }

    void publish(String topic, String payload) {
      publish(topic, payload, 1, false, MessageProperties.NONE);
    }

    /** Publishes without waiting: the stage stays incomplete while a target is congested. */
    CompletionStage<Void> send(String topic, String payload, int qos) {
      return session.publish(new Publication(topic, payload.getBytes(StandardCharsets.UTF_8), qos,
          false, clientId, MessageProperties.NONE));
    }

    void unsubscribe(String... keys) {
      join(session.unsubscribe(List.of(keys)));
    }

    List<Integer> subscribe(SubscriptionRequest... requests) {
      return join(session.subscribe(List.of(requests)));
    }

    /** Everything the bridge hands out now. */
    List<Delivery> drain() {
      List<Delivery> all = new ArrayList<>();
      for (Delivery next = session.poll(); next != null; next = session.poll()) {
        all.add(next);
      }
      return all;
    }

    int queued() {
      return ((InMemorySession) session).queuedCount();
    }
  }
}
