package dev.courier.mqtt.artemis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.spi.bridge.BridgeSession;
import dev.courier.mqtt.transport.spi.bridge.Delivery;
import dev.courier.mqtt.transport.spi.bridge.SubscriptionRequest;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A session makes its subscription map, buffers, resolver and in-flight maps only when first
 * needed: one that never needs them behaves as an empty one, and the first subscription, retained
 * message or QoS 1/2 delivery after an idle start works as it would have from the start.
 */
class IdleSessionTest extends ArtemisTestSupport {

  IdleSessionTest() {
    super(1000);
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void whenASessionNeverSubscribes_thenItPollsNothingAndClosesCleanly(boolean clean)
      throws Exception {
    BridgeSession idle = open("idle", clean);
    RecordingSink sink = new RecordingSink(idle);
    idle.attach(sink);
    BridgeSession publisher = open("pub", true);
    await(publisher.publish(publication("some/topic", "x", 1, false)));

    assertThat(idle.poll()).isNull();
    idle.acknowledge(1); // no such tag: nothing to acknowledge
    idle.recover();
    assertThat(idle.poll()).isNull();
    assertThat(sink.signals()).isZero();
    await(idle.close());

    assertThat(courierQueues()).isEmpty();
    assertThat(courierBindings()).isEmpty();
  }

  @Test
  void whenAPersistentSessionThatNeverSubscribedIsResumed_thenItIsPresentAndEmpty()
      throws Exception {
    BridgeSession idle = open("idle", false);
    idle.attach(new RecordingSink(idle));
    assertThat(idle.poll()).isNull();
    idle.detach();

    BridgeSession resumed = open("idle", false);
    assertThat(resumed.present()).isTrue();
    RecordingSink sink = new RecordingSink(resumed);
    resumed.attach(sink);
    assertThat(resumed.poll()).isNull();
    assertThat(sink.signals()).isZero();
    await(resumed.close());
    assertThat(courierQueues()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void whenTheFirstSubscribeComesAfterAttachAndPolls_thenItDelivers(boolean clean)
      throws Exception {
    BridgeSession subscriber = open("sub", clean);
    RecordingSink sink = new RecordingSink(subscriber);
    subscriber.attach(sink);
    assertThat(subscriber.poll()).isNull();
    await(subscriber.subscribe(List.of(new SubscriptionRequest("t/+", 2))));
    BridgeSession publisher = open("pub", true);

    await(publisher.publish(publication("t/a", "zero", 0, false)));
    await(publisher.publish(publication("t/b", "one", 1, false)));
    await(publisher.publish(publication("t/c", "two", 2, false)));

    List<Delivery> got = exactly(subscriber, 3);
    assertThat(got).extracting(ArtemisTestSupport::text).containsExactly("zero", "one", "two");
    assertThat(got).extracting(Delivery::qos).containsExactly(0, 1, 2);
    assertThat(sink.signals()).isPositive();
    await(subscriber.close());
    assertThat(courierQueues()).isEmpty();
    assertThat(courierBindings()).isEmpty();
  }

  @Test
  void whenTheFirstQos1DeliveryIsRecovered_thenItComesAgainMarkedRedelivery() throws Exception {
    BridgeSession subscriber = open("sub", false);
    subscriber.attach(new RecordingSink(subscriber));
    await(subscriber.subscribe(List.of(new SubscriptionRequest("t", 1))));
    BridgeSession publisher = open("pub", true);
    await(publisher.publish(publication("t", "m", 1, false)));

    Delivery first = new RecordingSink(subscriber).take(1, false).get(0);
    assertThat(first.redelivery()).isFalse();
    subscriber.recover();

    Delivery again = exactly(subscriber, 1).get(0);
    assertThat(text(again)).isEqualTo("m");
    assertThat(again.redelivery()).isTrue();
  }

  @Test
  void whenTheFirstSubscriptionFindsRetainedMessages_thenTheyAreDeliveredWithRetain()
      throws Exception {
    BridgeSession publisher = open("pub", true);
    await(publisher.publish(publication("r/1", "kept", 1, true)));
    BridgeSession subscriber = open("sub", true);
    RecordingSink sink = new RecordingSink(subscriber);
    subscriber.attach(sink);
    assertThat(subscriber.poll()).isNull();

    await(subscriber.subscribe(List.of(new SubscriptionRequest("r/#", 1))));

    Delivery retained = sink.take(1, true).get(0);
    assertThat(text(retained)).isEqualTo("kept");
    assertThat(retained.retain()).isTrue();
    assertThat(subscriber.poll()).isNull();
  }

  @Test
  void whenAPersistentSessionFirstSubscribesWhileDetached_thenItGetsTheMessagesOnAttach()
      throws Exception {
    BridgeSession subscriber = open("durable", false);
    subscriber.attach(new RecordingSink(subscriber));
    subscriber.detach();
    BridgeSession resumed = open("durable", false);
    await(resumed.subscribe(List.of(new SubscriptionRequest("away/#", 1))));
    BridgeSession publisher = open("pub", true);
    await(publisher.publish(publication("away/1", "a", 1, false)));
    await(publisher.publish(publication("away/2", "b", 1, false)));

    RecordingSink sink = new RecordingSink(resumed);
    resumed.attach(sink);
    assertThat(exactly(resumed, 2)).extracting(ArtemisTestSupport::text)
        .containsExactly("a", "b");
  }
}
