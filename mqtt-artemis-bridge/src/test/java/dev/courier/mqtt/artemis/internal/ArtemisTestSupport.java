package dev.courier.mqtt.artemis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.spi.bridge.BridgeSession;
import dev.courier.mqtt.transport.spi.bridge.Delivery;
import dev.courier.mqtt.transport.spi.bridge.Publication;
import dev.courier.mqtt.transport.spi.bridge.SessionRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.activemq.artemis.core.postoffice.QueueBinding;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the bridge tests share: a fresh {@link EmbeddedArtemis} with a bridge on it for each test
 * (in its own directory, stopped after it), and the helpers to open sessions and publish.
 */
abstract class ArtemisTestSupport {

  @TempDir
  Path dir;
  EmbeddedArtemis broker;
  ArtemisBridge bridge;
  private final int receiveMaximum;

  /** @param receiveMaximum the one {@link #open} asks for */
  ArtemisTestSupport(int receiveMaximum) {
    this.receiveMaximum = receiveMaximum;
  }

  /** The clock the bridge starts on; a test that moves time returns its {@link TestClock}. */
  LongSupplier clock() {
    return System::currentTimeMillis;
  }

  @BeforeEach
  void startBroker() throws Exception {
    broker = new EmbeddedArtemis(dir);
    bridge = broker.start(ArtemisBridgeConfig.DEFAULTS, clock());
  }

  @AfterEach
  void stopBroker() throws Exception {
    broker.close();
  }

  BridgeSession open(String clientId, boolean clean) throws Exception {
    return bridge.openSession(new SessionRequest(clientId, clean, receiveMaximum))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static void await(CompletionStage<?> stage) throws Exception {
    stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static Publication publication(String topic, String text, int qos, boolean retain,
      String from) {
    return new Publication(topic, text.getBytes(StandardCharsets.UTF_8), qos, retain, from);
  }

  /** A publication from client "pub". */
  static Publication publication(String topic, String text, int qos, boolean retain) {
    return publication(topic, text, qos, retain, "pub");
  }

  static String text(Delivery delivery) {
    return new String(delivery.payload(), StandardCharsets.UTF_8);
  }

  /** The names of the queues the bridge created for subscriptions. */
  List<String> courierQueues() {
    return broker.server().getPostOffice().getAllBindings()
        .filter(QueueBinding.class::isInstance)
        .map(binding -> binding.getUniqueName().toString())
        .filter(name -> name.startsWith("courier.mqtt."))
        .toList();
  }

  /** The names of the bindings the bridge made for clean sessions' subscriptions. */
  List<String> courierBindings() {
    return broker.server().getPostOffice().getAllBindings()
        .filter(DirectBinding.class::isInstance)
        .map(binding -> binding.getUniqueName().toString())
        .toList();
  }

  long messagesInQueues() {
    return broker.server().getPostOffice().getAllBindings()
        .filter(b -> b.getUniqueName().toString().startsWith("courier.mqtt."))
        .filter(QueueBinding.class::isInstance) // a clean session's DirectBinding holds nothing
        .mapToLong(b -> ((QueueBinding) b).getQueue().getMessageCount())
        .sum();
  }

  /** Takes {@code count} deliveries, then checks that no other copy comes and none is left. */
  List<Delivery> exactly(BridgeSession session, int count) {
    List<Delivery> got = new RecordingSink(session).take(count, true);
    Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> {
      Delivery extra = session.poll();
      assertThat(extra).as("a second copy").isNull();
      return messagesInQueues() == 0;
    });
    return got;
  }
}
