package dev.courier.mqtt.transport.internal.protocol;

import static dev.courier.mqtt.transport.internal.protocol.Packets.publish;
import static dev.courier.mqtt.transport.internal.protocol.Packets.subscribe;
import static dev.courier.mqtt.transport.internal.protocol.Packets.unsubscribe;
import static dev.courier.mqtt.transport.internal.protocol.TestClient.text;
import static io.netty.handler.codec.mqtt.MqttMessageType.PINGRESP;
import static io.netty.handler.codec.mqtt.MqttMessageType.SUBACK;
import static io.netty.handler.codec.mqtt.MqttMessageType.UNSUBACK;
import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.internal.bridge.memory.InMemoryBridge;
import dev.courier.mqtt.transport.spi.bridge.BridgeSession;
import dev.courier.mqtt.transport.spi.bridge.MessagingBridge;
import dev.courier.mqtt.transport.spi.bridge.Publication;
import dev.courier.mqtt.transport.spi.bridge.SessionRequest;
import dev.courier.mqtt.transport.spi.bridge.SubscriptionRequest;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Section 3.8.4: a subscription change applies before what the client sends after it. A bridge
 * that applies SUBSCRIBE and UNSUBSCRIBE asynchronously (the Artemis bridge creates a queue) must
 * not let a PUBLISH sent right after a SUBSCRIBE be routed before the subscription exists.
 */
class SubscribeOrderSection3_8_4Test {

  private final EngineFixture engine = new EngineFixture();
  private final InMemoryBridge memory = new InMemoryBridge();
  private final SlowBridge slow = new SlowBridge(memory);

  @AfterEach
  void close() {
    engine.close();
    memory.shutdown();
  }

  @Test
  void whenAPublishFollowsASubscribeStillBeingApplied_thenItWaitsAndReachesTheNewSubscription() {
    TestClient client = engine.client(slow);
    client.connect("c", true);

    client.send(subscribe(1, "o/t", 0));
    client.send(publish("o/t", "mine", 0, 0));
    client.send(new MqttMessage(new MqttFixedHeader(MqttMessageType.PINGREQ, false,
        MqttQoS.AT_MOST_ONCE, false, 0)));
    assertThat(slow.published).as("held until the SUBSCRIBE is applied").isEmpty();
    client.expectNothingMore();

    slow.applyPending();
    engine.loop.runAll();

    client.next(SUBACK);
    assertThat(slow.published).containsExactly("o/t");
    List<MqttMessage> rest = client.rest();
    assertThat(rest).extracting(m -> m.fixedHeader().messageType())
        .containsExactlyInAnyOrder(MqttMessageType.PUBLISH, PINGRESP);
    assertThat(rest).filteredOn(m -> m instanceof MqttPublishMessage)
        .extracting(m -> text((MqttPublishMessage) m)).containsExactly("mine");
  }

  @Test
  void whenAPublishFollowsAnUnsubscribeStillBeingApplied_thenItIsNotDeliveredBack() {
    TestClient client = engine.client(slow);
    client.connect("c", true);
    client.send(subscribe(1, "o/t", 0));
    slow.applyPending();
    engine.loop.runAll();
    client.next(SUBACK);

    client.send(unsubscribe(2, "o/t"));
    client.send(publish("o/t", "after", 0, 0));
    slow.applyPending();
    engine.loop.runAll();

    client.next(UNSUBACK);
    assertThat(slow.published).containsExactly("o/t");
    client.expectNothingMore();
  }

  /** The in-memory bridge, with SUBSCRIBE and UNSUBSCRIBE applied only when the test says. */
  private static final class SlowBridge implements MessagingBridge {
    private final MessagingBridge inner;
    private final List<Runnable> pending = new ArrayList<>();
    final List<String> published = new ArrayList<>();

    SlowBridge(MessagingBridge inner) {
      this.inner = inner;
    }

    void applyPending() {
      List<Runnable> now = new ArrayList<>(pending);
      pending.clear();
      now.forEach(Runnable::run);
    }

    @Override
    public String name() {
      return "slow";
    }

    @Override
    public CompletionStage<BridgeSession> openSession(SessionRequest request) {
      return inner.openSession(request).thenApply(session -> new ForwardingSession(session) {
        @Override
        public CompletionStage<Void> publish(Publication publication) {
          published.add(publication.topic());
          return inner.publish(publication);
        }

        @Override
        public CompletionStage<List<Integer>> subscribe(List<SubscriptionRequest> requests) {
          CompletableFuture<List<Integer>> later = new CompletableFuture<>();
          pending.add(() -> inner.subscribe(requests).whenComplete((codes, error) -> {
            if (error != null) {
              later.completeExceptionally(error);
            } else {
              later.complete(codes);
            }
          }));
          return later;
        }

        @Override
        public CompletionStage<Void> unsubscribe(List<String> filters) {
          CompletableFuture<Void> later = new CompletableFuture<>();
          pending.add(() -> inner.unsubscribe(filters).thenRun(() -> later.complete(null)));
          return later;
        }
      });
    }
  }
}
