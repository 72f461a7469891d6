package dev.courier.mqtt.transport.internal.bridge.memory;

import static dev.courier.mqtt.transport.internal.bridge.memory.BridgeFixture.join;
import static dev.courier.mqtt.transport.internal.bridge.memory.BridgeFixture.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.internal.bridge.memory.BridgeFixture.Client;
import dev.courier.mqtt.transport.spi.bridge.BridgeSession;
import dev.courier.mqtt.transport.spi.bridge.Delivery;
import dev.courier.mqtt.transport.spi.bridge.MessageProperties;
import dev.courier.mqtt.transport.spi.bridge.Publication;
import dev.courier.mqtt.transport.spi.bridge.PublishResult;
import dev.courier.mqtt.transport.spi.bridge.SessionRequest;
import dev.courier.mqtt.transport.spi.bridge.SubscriptionRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The in-memory bridge's overload bounds: a session's queue in bytes beside its count
 * ({@link SessionRequest#maxQueuedBytes()}), and the retained store in count and bytes ({@link
 * dev.courier.mqtt.transport.spi.bridge.MessagingBridge#limitRetained}).
 */
class BridgeLimitsTest {

  /** A message of {@link #PAYLOAD} bytes on topic "q" weighs 100 bytes. */
  private static final int PAYLOAD = 99;

  private final BridgeFixture fixture = new BridgeFixture();
  private final InMemoryBridge bridge = fixture.bridge;

  @AfterEach
  void close() {
    fixture.close();
  }

  private static String payload(int index) {
    String prefix = "m" + index + "-";
    return prefix + "x".repeat(PAYLOAD - prefix.length());
  }

  /** A client whose session allows 100 messages and {@code maxBytes} bytes, attached. */
  private Client connect(String clientId, boolean clean, long maxBytes) {
    BridgeSession session = join(bridge.openSession(
        new SessionRequest(clientId, clean, 100, clean ? 0 : SessionRequest.NEVER, maxBytes)));
    Client client = new Client(clientId, session);
    session.attach(client.sink);
    return client;
  }

  @Test
  void whenAnOfflineQueueReachesItsByteBound_thenNewerMessagesAreDroppedAndCounted() {
    Client away = connect("away", false, 1000);
    away.subscribe(new SubscriptionRequest("q", 1));
    away.session.detach();
    Client pub = fixture.connect("pub");

    for (int i = 0; i < 13; i++) {
      pub.publish("q", payload(i));
    }

    // Ten messages of 100 bytes fill 1000 bytes; the three newer ones are dropped.
    assertThat(bridge.droppedMessages()).isEqualTo(3);
    Client back = connect("away", false, 1000);
    assertThat(back.session.present()).isTrue();
    assertThat(back.drain()).map(BridgeFixture::text)
        .containsExactly(payload(0), payload(1), payload(2), payload(3), payload(4), payload(5),
            payload(6), payload(7), payload(8), payload(9));
  }

  @Test
  void whenAConnectedQueuePassesItsByteBound_thenQos0IsDropped_andQos1UpToTwiceTheBound() {
    Client slow = connect("slow", true, 1000);
    slow.subscribe(new SubscriptionRequest("q", 1));
    Client pub = fixture.connect("pub");

    for (int i = 0; i < 10; i++) {
      pub.send("q", payload(i), 1); // above half of the bound the stage waits: not joined
    }
    pub.send("q", payload(10), 0); // the bound is full: QoS 0 goes
    assertThat(bridge.droppedMessages()).isEqualTo(1);
    for (int i = 11; i < 22; i++) {
      pub.send("q", payload(i), 1);
    }

    // QoS 1 is taken up to twice the bound (20 messages), then dropped too.
    assertThat(slow.queued()).isEqualTo(20);
    assertThat(bridge.droppedMessages()).isEqualTo(2);
    List<Delivery> delivered = slow.drain();
    assertThat(delivered).hasSize(20).noneMatch(d -> text(d).equals(payload(10)));
    assertThat(text(delivered.get(19))).isEqualTo(payload(20));
  }

  @Test
  void whenAMessageIsBiggerThanTheByteBoundOnItsOwn_thenItIsNeverQueued() {
    Client sub = connect("sub", true, 1024);
    sub.subscribe(new SubscriptionRequest("big", 1));
    Client pub = fixture.connect("pub");

    pub.send("big", "x".repeat(2048), 1);

    assertThat(sub.queued()).isZero();
    assertThat(bridge.droppedMessages()).isEqualTo(1);
  }

  @Test
  void whenTheByteBoundDrains_thenMessagesAreQueuedAgain() {
    Client away = connect("away", false, 300);
    away.subscribe(new SubscriptionRequest("q", 1));
    away.session.detach();
    Client pub = fixture.connect("pub");
    for (int i = 0; i < 4; i++) {
      pub.publish("q", payload(i));
    }
    assertThat(bridge.droppedMessages()).isEqualTo(1);

    Client back = connect("away", false, 300);
    assertThat(back.drain()).hasSize(3);
    pub.publish("q", payload(4));

    assertThat(back.drain()).map(BridgeFixture::text).containsExactly(payload(4));
    assertThat(bridge.droppedMessages()).isEqualTo(1);
  }

  /** What a kept retained publication that no subscription matched gets. */
  private static final PublishResult KEPT = PublishResult.NO_MATCHING_SUBSCRIBERS;

  private PublishResult retain(Client client, String topic, String text) {
    Publication publication = new Publication(topic, text.getBytes(StandardCharsets.UTF_8), 1,
        true, client.clientId, MessageProperties.NONE);
    return join(client.session.route(publication, 0));
  }

  @Test
  void whenTheRetainedCountIsReached_thenANewTopicIsRefusedAndNotRouted_butReplacingWorks() {
    bridge.limitRetained(2, 1_000_000);
    Client watcher = fixture.connect("watcher");
    watcher.subscribe(new SubscriptionRequest("#", 1));
    Client pub = fixture.connect("pub");

    assertThat(retain(pub, "r/a", "a1")).isEqualTo(PublishResult.ACCEPTED);
    assertThat(retain(pub, "r/b", "b1")).isEqualTo(PublishResult.ACCEPTED);
    assertThat(retain(pub, "r/c", "c1")).isEqualTo(PublishResult.QUOTA_EXCEEDED);
    assertThat(retain(pub, "r/a", "a2")).isEqualTo(PublishResult.ACCEPTED);

    assertThat(watcher.drain()).map(BridgeFixture::text).containsExactly("a1", "b1", "a2");
    assertThat(bridge.retainedCount()).isEqualTo(2);
    assertThat(bridge.refusedRetained()).isEqualTo(1);

    // Clearing always works, and makes room.
    assertThat(retain(pub, "r/b", "")).isEqualTo(PublishResult.ACCEPTED);
    assertThat(retain(pub, "r/c", "c2")).isEqualTo(PublishResult.ACCEPTED);
    Client late = fixture.connect("late");
    late.subscribe(new SubscriptionRequest("r/#", 1));
    assertThat(late.drain()).map(BridgeFixture::text).containsExactlyInAnyOrder("a2", "c2");
  }

  @Test
  void whenTheRetainedBytesAreReached_thenNewTopicsAndGrowthAreRefused_butShrinkingWorks() {
    bridge.limitRetained(1000, 1024);
    Client pub = fixture.connect("pub");
    String big = "x".repeat(500);

    assertThat(retain(pub, "t/1", big)).isEqualTo(KEPT); // 503 bytes
    assertThat(retain(pub, "t/2", big)).isEqualTo(KEPT); // 1006
    assertThat(bridge.retainedBytes()).isEqualTo(1006);
    assertThat(retain(pub, "t/3", "y".repeat(20))).isEqualTo(PublishResult.QUOTA_EXCEEDED);
    assertThat(retain(pub, "t/1", big + "y".repeat(20)))
        .as("growth of 20 bytes beyond the bound").isEqualTo(PublishResult.QUOTA_EXCEEDED);
    assertThat(retain(pub, "t/1", big + "y".repeat(18))).as("growth up to the bound")
        .isEqualTo(KEPT);
    assertThat(retain(pub, "t/2", "small")).isEqualTo(KEPT);

    assertThat(bridge.retainedBytes()).isEqualTo(521 + 8);
    assertThat(bridge.refusedRetained()).isEqualTo(2);
    Client late = fixture.connect("late");
    late.subscribe(new SubscriptionRequest("t/#", 1));
    assertThat(late.drain()).map(BridgeFixture::text)
        .containsExactlyInAnyOrder(big + "y".repeat(18), "small");
  }

  @Test
  void whenABoundIsLoweredBelowWhatIsHeld_thenNothingIsRemoved_andNewTopicsAreRefused() {
    Client pub = fixture.connect("pub");
    for (int i = 0; i < 5; i++) {
      retain(pub, "keep/" + i, "v");
    }

    bridge.limitRetained(3, 1_000_000);

    assertThat(bridge.retainedCount()).isEqualTo(5);
    assertThat(retain(pub, "keep/new", "v")).isEqualTo(PublishResult.QUOTA_EXCEEDED);
    assertThat(retain(pub, "keep/0", "w")).isEqualTo(KEPT);
  }

  @Test
  void whenARetainedPublicationIsRefused_thenTheOlderPublishStageFails() {
    bridge.limitRetained(1, 1_000_000);
    Client pub = fixture.connect("pub");
    retain(pub, "one", "v");

    CompletableFuture<Void> refused = pub.session.publish(new Publication("two",
        new byte[] {1}, 1, true, "pub")).toCompletableFuture();

    assertThat(refused).isCompletedExceptionally();
    assertThat(bridge.refusedRetained()).isEqualTo(1);
    assertThat(bridge.retainedCount()).isEqualTo(1);
  }
}
