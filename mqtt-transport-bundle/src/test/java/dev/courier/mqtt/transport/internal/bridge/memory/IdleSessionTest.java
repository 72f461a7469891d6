package dev.courier.mqtt.transport.internal.bridge.memory;

import static dev.courier.mqtt.transport.internal.bridge.memory.BridgeFixture.shared;
import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.internal.bridge.memory.BridgeFixture.Client;
import dev.courier.mqtt.transport.spi.bridge.Delivery;
import dev.courier.mqtt.transport.spi.bridge.SubscriptionRequest;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A session's subscriptions, queue and shared in-flight map are made when first needed: one that
 * never needs them behaves as an empty one, and the first subscription, delivery or shared
 * delivery after an idle start works as it would have from the start.
 */
class IdleSessionTest {

  private final BridgeFixture fixture = new BridgeFixture();

  @AfterEach
  void close() {
    fixture.close();
  }

  @Test
  void whenASessionNeverSubscribes_thenItPollsNothingAndClosesCleanly() {
    Client idle = fixture.connect("idle");
    Client publisher = fixture.connect("pub");
    publisher.publish("some/topic", "x");

    assertThat(idle.session.poll()).isNull();
    idle.session.acknowledge(1); // no such tag
    assertThat(BridgeFixture.join(idle.session.unsubscribeExisting(List.of("a", "b"))))
        .containsExactly(false, false);
    assertThat(idle.queued()).isZero();
    assertThat(idle.signals.get()).isZero();
    BridgeFixture.join(idle.session.close());
    assertThat(fixture.bridge.sessionCount()).isEqualTo(1); // the publisher's
  }

  @Test
  void whenAPersistentSessionThatNeverSubscribedExpires_thenItGoesAndNothingIsLeft() {
    Client idle = fixture.connect("idle", false, 10);
    idle.session.detach();
    fixture.advance(11_000);
    fixture.bridge.sweep();

    Client back = fixture.connect("idle", false, 10);
    assertThat(back.session.present()).isFalse();
    assertThat(back.drain()).isEmpty();
  }

  @Test
  void whenTheFirstSubscribeComesAfterAttachAndPolls_thenItDelivers() {
    Client subscriber = fixture.connect("sub", false, 3600);
    assertThat(subscriber.session.poll()).isNull();
    subscriber.subscribe(new SubscriptionRequest("t/+", 2));
    Client publisher = fixture.connect("pub");

    publisher.publish("t/a", "one");
    publisher.publish("t/b", "two");

    List<Delivery> got = subscriber.drain();
    assertThat(got).extracting(BridgeFixture::text).containsExactly("one", "two");
    assertThat(got).extracting(Delivery::tag).doesNotHaveDuplicates().doesNotContain(0L);
    assertThat(subscriber.signals.get()).isPositive();
    assertThat(BridgeFixture.join(subscriber.session.unsubscribeExisting(List.of("t/+", "x"))))
        .containsExactly(true, false);
  }

  @Test
  void whenTheFirstSharedDeliveryIsNotAcknowledgedAndTheSessionEnds_thenAnotherMemberGetsIt() {
    Client a = fixture.connect("a");
    a.subscribe(shared("g", "t", 1, false, 0));
    Client publisher = fixture.connect("pub");
    publisher.publish("t", "m0");
    Delivery held = a.session.poll();
    assertThat(BridgeFixture.text(held)).isEqualTo("m0");
    Client b = fixture.connect("b");
    b.subscribe(shared("g", "t", 1, false, 0));

    BridgeFixture.join(a.session.close());

    assertThat(b.drain()).extracting(BridgeFixture::text).containsExactly("m0");
  }

  @Test
  void whenAMemberAcknowledgesItsFirstSharedDelivery_thenTheGroupHasNothingToHandOn() {
    Client a = fixture.connect("a");
    a.subscribe(shared("g", "t", 1, false, 0));
    Client publisher = fixture.connect("pub");
    publisher.publish("t", "m0");
    a.session.acknowledge(a.session.poll().tag());
    Client b = fixture.connect("b");
    b.subscribe(shared("g", "t", 1, false, 0));

    BridgeFixture.join(a.session.close());

    assertThat(b.drain()).isEmpty();
  }
}
