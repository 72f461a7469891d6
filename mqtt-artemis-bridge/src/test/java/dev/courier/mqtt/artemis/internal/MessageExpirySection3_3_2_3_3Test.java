package dev.courier.mqtt.artemis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.spi.bridge.BridgeSession;
import dev.courier.mqtt.transport.spi.bridge.Delivery;
import dev.courier.mqtt.transport.spi.bridge.MessageProperties;
import dev.courier.mqtt.transport.spi.bridge.Publication;
import dev.courier.mqtt.transport.spi.bridge.SubscriptionRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.server.Queue;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * MQTT 5.0 section 3.3.2.3.3, Message Expiry Interval: a message whose interval has passed is not
 * delivered [MQTT-3.3.2-5], neither from an offline session's queue nor as a retained message.
 */
class MessageExpirySection3_3_2_3_3Test extends ArtemisTestSupport {

  private static final long MINUTE = 60_000;

  private final TestClock clock = new TestClock();

  MessageExpirySection3_3_2_3_3Test() {
    super(100);
  }

  @Override
  LongSupplier clock() {
    return clock;
  }

  private static Publication expiring(String topic, String text, boolean retain, long at) {
    return new Publication(topic, text.getBytes(StandardCharsets.UTF_8), 1, retain, "pub",
        new MessageProperties(-1, null, null, null, List.of(), at));
  }

  @Test
  void whenQueuedForAnOfflineSessionAndExpired_thenNotDeliveredOnResume() throws Exception {
    BridgeSession away = open("away", false);
    await(away.subscribe(List.of(new SubscriptionRequest("q", 1))));
    away.detach();
    BridgeSession publisher = open("pub", true);
    await(publisher.publish(expiring("q", "short", false, clock.getAsLong() + MINUTE)));
    await(publisher.publish(expiring("q", "long", false, clock.getAsLong() + 10 * MINUTE)));
    clock.advance(MINUTE);

    BridgeSession resumed = open("away", false);
    RecordingSink sink = new RecordingSink(resumed);
    resumed.attach(sink);
    List<Delivery> got = sink.take(1, true);
    assertThat(got).extracting(MessageExpirySection3_3_2_3_3Test::text).containsExactly("long");
    assertThat(got.get(0).properties().expiresAtMillis())
        .as("the absolute expiry, from which the transport sends what is left")
        .isEqualTo(clock.getAsLong() + 9 * MINUTE);
    assertThat(resumed.poll()).isNull();
    Queue queue = broker.server().locateQueue(
        SimpleString.of(ArtemisBridge.queueName("away", "q")));
    Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> queue.getMessageCount() == 0);
  }

  @Test
  void whenExpiredInAnArtemisQueue_thenArtemisDropsItWithoutAConsumer() throws Exception {
    BridgeSession away = open("away", false);
    await(away.subscribe(List.of(new SubscriptionRequest("q", 1))));
    away.detach();
    long at = System.currentTimeMillis() + 2000; // Artemis expires by the system clock
    await(open("pub", true).publish(expiring("q", "soon", false, at)));
    Queue queue = broker.server().locateQueue(
        SimpleString.of(ArtemisBridge.queueName("away", "q")));
    Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> queue.getMessageCount() == 1);
    assertThat(System.currentTimeMillis()).as("queued before it expired").isLessThan(at);
    Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> queue.getMessageCount() == 0);
    assertThat(System.currentTimeMillis()).isGreaterThanOrEqualTo(at);
  }

  @Test
  void whenARetainedMessageExpired_thenANewSubscriberDoesNotGetIt_norAfterARestart()
      throws Exception {
    BridgeSession publisher = open("pub", true);
    await(publisher.publish(expiring("r/short", "short", true, clock.getAsLong() + MINUTE)));
    await(publisher.publish(expiring("r/long", "long", true, clock.getAsLong() + 10 * MINUTE)));
    clock.advance(MINUTE);

    BridgeSession subscriber = open("sub", true);
    RecordingSink sink = new RecordingSink(subscriber);
    subscriber.attach(sink);
    await(subscriber.subscribe(List.of(new SubscriptionRequest("r/#", 1))));
    assertThat(sink.take(1, true)).extracting(Delivery::topic).containsExactly("r/long");
    assertThat(subscriber.poll()).isNull();
    Queue records = broker.server().locateQueue(SimpleString.of(RetainedStore.QUEUE));
    Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> records.getMessageCount() == 1);

    bridge = broker.restart();
    BridgeSession later = open("later", true);
    RecordingSink laterSink = new RecordingSink(later);
    later.attach(laterSink);
    await(later.subscribe(List.of(new SubscriptionRequest("r/#", 1))));
    assertThat(laterSink.take(1, true)).extracting(Delivery::topic).containsExactly("r/long");
    assertThat(later.poll()).isNull();
  }

  @Test
  void whenARetainedMessageExpiredWhileTheBrokerWasDown_thenItIsNotLoaded() throws Exception {
    await(open("pub", true).publish(expiring("r/x", "x", true, clock.getAsLong() + MINUTE)));
    broker.stop();
    clock.advance(MINUTE);
    bridge = broker.start(ArtemisBridgeConfig.DEFAULTS, clock);

    BridgeSession subscriber = open("sub", true);
    subscriber.attach(new RecordingSink(subscriber));
    await(subscriber.subscribe(List.of(new SubscriptionRequest("r/#", 1))));
    assertThat(subscriber.poll()).isNull();
    Queue records = broker.server().locateQueue(SimpleString.of(RetainedStore.QUEUE));
    Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> records.getMessageCount() == 0);
  }

  @Test
  void whenPublishedAlreadyExpired_thenNeitherForwardedNorRetained() throws Exception {
    BridgeSession subscriber = open("sub", true);
    RecordingSink sink = new RecordingSink(subscriber);
    subscriber.attach(sink);
    await(subscriber.subscribe(List.of(new SubscriptionRequest("x", 1))));
    BridgeSession publisher = open("pub", true);
    await(publisher.publish(expiring("x", "late", true, clock.getAsLong() - 1)));
    await(publisher.publish(expiring("x", "fresh", false, clock.getAsLong() + MINUTE)));
    assertThat(sink.take(1, true)).extracting(MessageExpirySection3_3_2_3_3Test::text)
        .containsExactly("fresh");

    BridgeSession late = open("late", true);
    late.attach(new RecordingSink(late));
    await(late.subscribe(List.of(new SubscriptionRequest("x", 1))));
    assertThat(late.poll()).isNull();
  }
}
