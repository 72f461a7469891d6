package dev.courier.mqtt.transport.internal.bridge.memory;

import static dev.courier.mqtt.transport.internal.bridge.memory.BridgeFixture.shared;
import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.internal.bridge.memory.BridgeFixture.Client;
import dev.courier.mqtt.transport.spi.bridge.Delivery;
import dev.courier.mqtt.transport.spi.bridge.MessageProperties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * MQTT 5.0 section 4.8.2, what happens to a member's shared deliveries when it goes: on detach the
 * queued ones move to a connected member (in-flight ones stay for the reconnect); when the session
 * ends (close, Clean Start, expiry) queued and unacknowledged in-flight ones move to another member;
 * on unsubscribe the queued ones move.
 */
class SharedHandOverSection4_8_2Test {

  private static final String KEY = "$share/g/t/#";

  private final BridgeFixture fixture = new BridgeFixture();

  @AfterEach
  void close() {
    fixture.close();
  }

  @Test
  void whenMemberDetaches_thenItsQueuedDeliveriesGoToAnAttachedMember_butInFlightOnesStay() {
    Client a = member("a", false, 3600);
    Client b = member("b", true, 0);
    publish(4); // a: m0, m2; b: m1, m3
    assertThat(BridgeFixture.text(a.session.poll())).isEqualTo("m0"); // in flight, not acked

    a.session.detach();

    assertThat(a.queued()).isZero();
    assertThat(b.drain()).extracting(BridgeFixture::text).containsExactly("m1", "m3", "m2");
    Client back = fixture.connect("a", false, 3600);
    assertThat(back.session.present()).isTrue();
    assertThat(back.drain()).isEmpty(); // m0 is the transport's to resend
  }

  @Test
  void whenMemberDetachesAndNoOtherIsAttached_thenItKeepsItsQueue() {
    Client b = member("b", false, 3600);
    b.session.detach();
    Client a = member("a", false, 3600);
    publish(2);

    a.session.detach();

    assertThat(b.queued()).isZero();
    assertThat(fixture.connect("a", false, 3600).drain()).extracting(BridgeFixture::text)
        .containsExactly("m0", "m1");
  }

  @Test
  void whenAQueuedSharedDeliveryHasExpired_thenNoMemberGetsIt_andItCountsOnce() {
    Client a = member("a", false, 3600);
    Client b = member("b", true, 0);
    Client pub = fixture.connect("pub");
    long expiresAt = BridgeFixture.T0 + 1_000;
    pub.publish("t/x", "short-lived", 1, false, BridgeFixture.expiringAt(expiresAt)); // to a
    pub.publish("t/x", "kept", 1, false, MessageProperties.NONE); // to b
    fixture.advance(1_000);

    a.session.detach(); // [MQTT-3.3.2-5] not handed over once expired
    fixture.bridge.sweep();

    assertThat(a.queued()).isZero();
    assertThat(b.drain()).extracting(BridgeFixture::text).containsExactly("kept");
    assertThat(fixture.bridge.expiredMessages()).isEqualTo(1);
  }

  @Test
  void whenMemberCloses_thenQueuedAndUnacknowledgedDeliveriesGoToAnotherMember() {
    Client a = member("a", true, 0);
    Client b = member("b", true, 0);
    publish(6); // a: m0, m2, m4; b: m1, m3, m5
    Delivery acked = a.session.poll();
    a.session.acknowledge(acked.tag());
    Delivery inFlight = a.session.poll();
    assertThat(BridgeFixture.text(inFlight)).isEqualTo("m2");

    a.session.close();

    assertThat(b.drain()).extracting(BridgeFixture::text)
        .containsExactlyInAnyOrder("m1", "m3", "m5", "m2", "m4");
    assertThat(fixture.bridge.sharedGroups().group(KEY).size()).isEqualTo(1);
  }

  @Test
  void whenMemberEndsWithAQos0DeliveryInFlight_thenThatOneIsNotHandedOver() {
    Client a = member("a", true, 0);
    Client b = member("b", true, 0);
    fixture.connect("pub").publish("t/x", "q0", 0, false, MessageProperties.NONE);
    assertThat(a.session.poll().qos()).isZero(); // QoS 0 is done once handed out

    a.session.close();

    assertThat(b.drain()).isEmpty();
  }

  @Test
  void whenDetachedMemberIsReplacedByCleanStart_thenWhatItHeldGoesToAnotherMember() {
    Client a = heldByDetachedMember();
    Client b = member("b", true, 0);

    Client fresh = fixture.connect("a", true, 3600);

    assertThat(fresh.session).isNotSameAs(a.session);
    assertThat(b.drain()).extracting(BridgeFixture::text).containsExactlyInAnyOrder("m0", "m1");
  }

  @Test
  void whenDetachedMemberExpires_thenWhatItHeldGoesToAnotherMember() {
    heldByDetachedMember();
    Client b = member("b", true, 0);

    fixture.advance(10_000);
    fixture.bridge.sweep();

    assertThat(fixture.bridge.expiredSessions()).isEqualTo(1);
    assertThat(b.drain()).extracting(BridgeFixture::text).containsExactlyInAnyOrder("m0", "m1");
  }

  @Test
  void whenMemberUnsubscribes_thenItsQueuedDeliveriesGoToOthers_butInFlightOnesStay() {
    Client a = member("a", true, 0);
    Client b = member("b", true, 0);
    publish(4); // a: m0, m2; b: m1, m3
    assertThat(BridgeFixture.text(a.session.poll())).isEqualTo("m0");

    a.unsubscribe(KEY);
    publish("n", 2);

    assertThat(a.drain()).isEmpty();
    assertThat(b.drain()).extracting(BridgeFixture::text)
        .containsExactly("m1", "m3", "m2", "n0", "n1");
  }

  @Test
  void whenLastMemberUnsubscribes_thenItKeepsWhatWasQueued() {
    Client a = member("a", true, 0);
    publish(1);

    a.unsubscribe(KEY);
    publish("n", 1);

    assertThat(fixture.bridge.sharedGroups().size()).isZero();
    assertThat(a.drain()).extracting(BridgeFixture::text).containsExactly("m0");
  }

  /** A detached member (expiry 10 s) holding m0 in flight and m1 queued. */
  private Client heldByDetachedMember() {
    Client a = member("a", false, 10);
    publish(2);
    assertThat(BridgeFixture.text(a.session.poll())).isEqualTo("m0");
    a.session.detach();
    assertThat(a.queued()).isEqualTo(1);
    return a;
  }

  private void publish(int count) {
    publish("m", count);
  }

  /** Publishes {@code prefix0}, {@code prefix1}... at QoS 1 from a client of its own. */
  private void publish(String prefix, int count) {
    Client pub = fixture.connect("pub");
    for (int i = 0; i < count; i++) {
      pub.publish("t/x", prefix + i);
    }
  }

  private Client member(String clientId, boolean cleanStart, long expirySeconds) {
    Client client = fixture.connect(clientId, cleanStart, expirySeconds);
    client.subscribe(shared("g", "t/#", 1, false, 0));
    return client;
  }
}
