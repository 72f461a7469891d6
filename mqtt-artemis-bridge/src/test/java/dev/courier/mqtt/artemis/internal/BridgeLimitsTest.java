package dev.courier.mqtt.artemis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.spi.bridge.BridgeSession;
import dev.courier.mqtt.transport.spi.bridge.Delivery;
import dev.courier.mqtt.transport.spi.bridge.Publication;
import dev.courier.mqtt.transport.spi.bridge.PublishResult;
import dev.courier.mqtt.transport.spi.bridge.SessionRequest;
import dev.courier.mqtt.transport.spi.bridge.SubscriptionRequest;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.filter.Filter;
import org.apache.activemq.artemis.core.filter.impl.FilterImpl;
import org.apache.activemq.artemis.core.server.Queue;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The transport's overload bounds on Artemis, with the in-memory bridge's policy: a session's
 * subscription queue bounded by {@code maxQueuedMessages} and {@code maxQueuedBytes} when Artemis
 * routes to it, and the retained store bounded by {@code maxRetainedMessages} and {@code
 * maxRetainedBytes}. Queue counts follow the journal, so the tests wait for them.
 */
class BridgeLimitsTest extends ArtemisTestSupport {

  BridgeLimitsTest() {
    super(1000);
  }

  private BridgeSession open(String clientId, boolean clean, int maxQueued, long maxBytes)
      throws Exception {
    return bridge.openSession(new SessionRequest(clientId, clean, maxQueued,
        clean ? 0 : SessionRequest.NEVER, maxBytes)).toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  private Queue queue(String clientId, String filter) {
    return broker.server().locateQueue(SimpleString.of(ArtemisBridge.queueName(clientId, filter)));
  }

  private static void awaitCount(Queue queue, long count) {
    Awaitility.await().atMost(10, TimeUnit.SECONDS)
        .until(() -> queue.getMessageCount() == count);
  }

  private void awaitDropped(long count) {
    Awaitility.await().atMost(10, TimeUnit.SECONDS)
        .until(() -> bridge.droppedMessages() == count);
  }

  @Test
  void whenAnOfflineQueueReachesMaxQueuedMessages_thenNewerOnesAreDroppedAndCounted()
      throws Exception {
    BridgeSession away = open("away", false, 5, SessionRequest.UNBOUNDED_BYTES);
    await(away.subscribe(List.of(new SubscriptionRequest("q", 1))));
    away.detach();
    BridgeSession publisher = open("pub", true);
    Queue queue = queue("away", "q");

    for (int i = 0; i < 8; i++) {
      await(publisher.publish(publication("q", "m" + i, 1, false)));
      awaitCount(queue, Math.min(i + 1, 5));
    }

    awaitDropped(3);
    assertThat(queue.getMessageCount()).isEqualTo(5);
    BridgeSession back = open("away", false, 5, SessionRequest.UNBOUNDED_BYTES);
    assertThat(back.present()).isTrue();
    back.attach(new RecordingSink(back));
    assertThat(exactly(back, 5)).extracting(ArtemisTestSupport::text)
        .containsExactly("m0", "m1", "m2", "m3", "m4");
  }

  @Test
  void whenAnOfflineQueueReachesMaxQueuedBytes_thenNewerOnesAreDroppedAndCounted()
      throws Exception {
    BridgeSession away = open("away", false, 1000, SessionRequest.UNBOUNDED_BYTES);
    await(away.subscribe(List.of(new SubscriptionRequest("q", 1))));
    away.detach();
    BridgeSession publisher = open("pub", true);
    Queue queue = queue("away", "q");
    await(publisher.publish(publication("q", "m0", 1, false)));
    awaitCount(queue, 1);
    long size = queue.getPersistentSize(); // as Artemis stores one such message
    // Resumed with room for three and a half such messages, and away again.
    away = open("away", false, 1000, 3 * size + size / 2);
    away.detach();

    for (int i = 1; i < 6; i++) {
      await(publisher.publish(publication("q", "m" + i, 1, false)));
      awaitCount(queue, Math.min(i + 1, 3));
    }

    awaitDropped(3);
    assertThat(queue.getPersistentSize()).isLessThanOrEqualTo(3 * size + size / 2);
    BridgeSession back = open("away", false, 1000, 3 * size + size / 2);
    back.attach(new RecordingSink(back));
    assertThat(exactly(back, 3)).extracting(ArtemisTestSupport::text)
        .containsExactly("m0", "m1", "m2");
  }

  @Test
  void whenAnAttachedQueueIsFull_thenQos0IsDropped_andQos1IsTakenUpToTwiceTheBound()
      throws Exception {
    BridgeSession slow = open("slow", false, 3, SessionRequest.UNBOUNDED_BYTES);
    slow.attach(new RecordingSink(slow)); // never polled: what Artemis hands over still counts
    await(slow.subscribe(List.of(new SubscriptionRequest("q", 1))));
    BridgeSession publisher = open("pub", true);
    Queue queue = queue("slow", "q");

    for (int i = 0; i < 3; i++) {
      await(publisher.publish(publication("q", "m" + i, 1, false)));
      awaitCount(queue, i + 1);
    }
    await(publisher.publish(publication("q", "qos0", 0, false)));
    awaitDropped(1);
    for (int i = 3; i < 7; i++) {
      await(publisher.publish(publication("q", "m" + i, 1, false)));
      awaitCount(queue, Math.min(i + 1, 6));
    }

    awaitDropped(2);
    assertThat(new RecordingSink(slow).take(6, true)).extracting(ArtemisTestSupport::text)
        .containsExactly("m0", "m1", "m2", "m3", "m4", "m5");
    Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> queue.getMessageCount() == 0);
    assertThat(slow.poll()).isNull();
  }

  @Test
  void whenACleanSessionIsFull_thenQos0IsDropped_andQos1IsTakenUpToTwiceTheBound()
      throws Exception {
    BridgeSession slow = open("slow", true, 3, SessionRequest.UNBOUNDED_BYTES);
    slow.attach(new RecordingSink(slow)); // never polled: what is routed to it counts
    await(slow.subscribe(List.of(new SubscriptionRequest("q", 1))));
    assertThat(queue("slow", "q")).as("a clean session binds, without a queue").isNull();
    BridgeSession publisher = open("pub", true);
    // Routed at once, each in turn; past half the bound their acknowledgements are held back
    // (Congestion), which this test does not wait for.

    for (int i = 0; i < 3; i++) {
      publisher.publish(publication("q", "m" + i, 1, false));
    }
    publisher.publish(publication("q", "qos0", 0, false));
    awaitDropped(1);
    for (int i = 3; i < 7; i++) {
      publisher.publish(publication("q", "m" + i, 1, false));
    }

    awaitDropped(2);
    assertThat(new RecordingSink(slow).take(6, true)).extracting(ArtemisTestSupport::text)
        .containsExactly("m0", "m1", "m2", "m3", "m4", "m5");
    assertThat(slow.poll()).isNull();
  }

  @Test
  void whenACleanSessionPassesHalfItsBound_thenThePublisherWaitsUntilItDrainsToAQuarter()
      throws Exception {
    BridgeSession slow = open("slow", true, 8, SessionRequest.UNBOUNDED_BYTES);
    slow.attach(new RecordingSink(slow));
    await(slow.subscribe(List.of(new SubscriptionRequest("q", 1))));
    BridgeSession publisher = open("pub", true);
    for (int i = 0; i < 4; i++) { // half the bound: not held back
      await(publisher.publish(publication("q", "m" + i, 1, false)));
    }

    CompletableFuture<PublishResult> fifth =
        publisher.route(publication("q", "m4", 1, false), 0).toCompletableFuture();

    assertThat(fifth).as("held back while the session holds more than half").isNotDone();
    List<Delivery> first = new RecordingSink(slow).take(3, true); // 2 left: a quarter of 8
    assertThat(first).extracting(ArtemisTestSupport::text).containsExactly("m0", "m1", "m2");
    assertThat(fifth.get(10, TimeUnit.SECONDS)).isEqualTo(PublishResult.ACCEPTED);
    assertThat(bridge.droppedMessages()).isZero();
    assertThat(new RecordingSink(slow).take(2, true)).extracting(ArtemisTestSupport::text)
        .containsExactly("m3", "m4");
  }

  @Test
  void whenACongestedCleanSessionNeverDrains_thenThePublisherGoesOnAfterTheTimeout()
      throws Exception {
    BridgeSession stuck = open("stuck", true, 2, SessionRequest.UNBOUNDED_BYTES);
    stuck.attach(new RecordingSink(stuck)); // never polled
    await(stuck.subscribe(List.of(new SubscriptionRequest("q", 1))));
    BridgeSession publisher = open("pub", true);
    await(publisher.publish(publication("q", "m0", 1, false)));
    long start = System.nanoTime();

    CompletableFuture<PublishResult> second =
        publisher.route(publication("q", "m1", 1, false), 0).toCompletableFuture();

    assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo(PublishResult.ACCEPTED);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(Congestion.TIMEOUT_MILLIS - 100);
  }

  @Test
  void whenACleanSessionHasNoRoomForTheBytes_thenTheMessageIsDropped() throws Exception {
    BridgeSession slow = open("slow", true, 1000, 1024);
    slow.attach(new RecordingSink(slow));
    await(slow.subscribe(List.of(new SubscriptionRequest("q", 0))));
    BridgeSession publisher = open("pub", true);
    await(publisher.publish(publication("q", "small", 0, false)));
    await(publisher.publish(publication("q", "x".repeat(2048), 0, false)));

    awaitDropped(1);
    assertThat(new RecordingSink(slow).take(1, true)).extracting(ArtemisTestSupport::text)
        .containsExactly("small");
    assertThat(slow.poll()).isNull();
  }

  @Test
  void whenLimited_thenManagementSeesAParsableFilter_andTheBridgeStopGivesTheQueueItsOwnBack()
      throws Exception {
    BridgeSession away = open("away", false, 5, 1_000_000);
    await(away.subscribe(List.of(new SubscriptionRequest("plain", 1),
        new SubscriptionRequest("+/wild", 1))));
    away.detach();
    Queue plain = queue("away", "plain");
    Queue wild = queue("away", "+/wild");

    assertThat(plain.getFilter()).isInstanceOf(QueueLimit.class);
    Filter parsed = FilterImpl.createFilter(plain.getFilter().getFilterString());
    assertThat(parsed).isNotNull();
    assertThat((Object) wild.getFilter().getFilterString())
        .isEqualTo(TopicMapping.NO_SYSTEM_ADDRESSES);

    bridge = broker.restartBridge();

    assertThat(plain.getFilter()).isNull();
    assertThat(wild.getFilter()).isNotInstanceOf(QueueLimit.class);
    assertThat((Object) wild.getFilter().getFilterString())
        .isEqualTo(TopicMapping.NO_SYSTEM_ADDRESSES);
    open("away", false, 5, 1_000_000).detach(); // restored: limited again
    assertThat(plain.getFilter()).isInstanceOf(QueueLimit.class);
  }

  private static PublishResult route(BridgeSession session, Publication publication)
      throws Exception {
    return session.route(publication, 0).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void whenMaxRetainedMessagesIsReached_thenANewTopicIsRefusedAndNotRouted_butReplacingWorks()
      throws Exception {
    bridge.limitRetained(2, 1_000_000);
    BridgeSession watcher = open("watcher", true);
    RecordingSink sink = new RecordingSink(watcher);
    watcher.attach(sink);
    await(watcher.subscribe(List.of(new SubscriptionRequest("r/#", 1))));
    BridgeSession publisher = open("pub", true);

    assertThat(route(publisher, publication("r/a", "a1", 1, true))).isEqualTo(
        PublishResult.ACCEPTED);
    assertThat(route(publisher, publication("r/b", "b1", 1, true))).isEqualTo(
        PublishResult.ACCEPTED);
    assertThat(route(publisher, publication("r/c", "c1", 1, true))).isEqualTo(
        PublishResult.QUOTA_EXCEEDED);
    assertThat(route(publisher, publication("r/a", "a2", 1, true))).isEqualTo(
        PublishResult.ACCEPTED);

    assertThat(exactly(watcher, 3)).extracting(ArtemisTestSupport::text)
        .containsExactly("a1", "b1", "a2");
    assertThat(bridge.retainedCount()).isEqualTo(2);
    assertThat(bridge.refusedRetained()).isEqualTo(1);
    CompletableFuture<Void> old = publisher.publish(publication("r/d", "d1", 1, true))
        .toCompletableFuture();
    Awaitility.await().atMost(10, TimeUnit.SECONDS).until(old::isDone);
    assertThat(old).isCompletedExceptionally(); // the 0.4 contract: refused, not kept

    // Clearing always works, and makes room.
    route(publisher, publication("r/b", "", 1, true));
    assertThat(route(publisher, publication("r/c", "c2", 1, true))).isEqualTo(
        PublishResult.ACCEPTED);
    BridgeSession late = open("late", true);
    late.attach(new RecordingSink(late));
    await(late.subscribe(List.of(new SubscriptionRequest("r/#", 1))));
    assertThat(new RecordingSink(late).take(2, false)).extracting(ArtemisTestSupport::text)
        .containsExactlyInAnyOrder("a2", "c2");
    assertThat(bridge.refusedRetained()).isEqualTo(2);
  }

  @Test
  void whenMaxRetainedBytesIsReached_thenNewTopicsAndGrowthAreRefused_andTheCountSurvivesRestart()
      throws Exception {
    bridge.limitRetained(1000, 1024);
    BridgeSession publisher = open("pub", true);
    String big = "x".repeat(500);

    assertThat(route(publisher, publication("t/1", big, 1, true))).isNotEqualTo(
        PublishResult.QUOTA_EXCEEDED); // 503 bytes
    assertThat(route(publisher, publication("t/2", big, 1, true))).isNotEqualTo(
        PublishResult.QUOTA_EXCEEDED); // 1006
    assertThat(route(publisher, publication("t/3", "y".repeat(20), 1, true))).isEqualTo(
        PublishResult.QUOTA_EXCEEDED);
    assertThat(route(publisher, publication("t/1", big + "y".repeat(20), 1, true)))
        .as("growth of 20 bytes beyond the bound").isEqualTo(PublishResult.QUOTA_EXCEEDED);
    assertThat(route(publisher, publication("t/1", big + "y".repeat(18), 1, true)))
        .as("growth up to the bound").isNotEqualTo(PublishResult.QUOTA_EXCEEDED);
    assertThat(route(publisher, publication("t/2", "small", 1, true))).isNotEqualTo(
        PublishResult.QUOTA_EXCEEDED);

    assertThat(bridge.retainedBytes()).isEqualTo(521 + 8);
    assertThat(bridge.refusedRetained()).isEqualTo(2);
    bridge = broker.restart();
    assertThat(bridge.retainedBytes()).isEqualTo(521 + 8);
    assertThat(bridge.retainedCount()).isEqualTo(2);
  }
}
