package dev.courier.mqtt.transport.internal.bridge.memory;

import static dev.courier.mqtt.transport.internal.bridge.memory.BridgeFixture.subscription;
import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.internal.bridge.memory.BridgeFixture.Client;
import dev.courier.mqtt.transport.spi.bridge.Delivery;
import dev.courier.mqtt.transport.spi.bridge.MessageProperties;
import dev.courier.mqtt.transport.spi.bridge.SessionRequest;
import dev.courier.mqtt.transport.spi.bridge.SubscriptionRequest;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * MQTT 5.0 section 3.8.3.1, subscription options as the bridge applies them: No Local
 * [MQTT-3.8.3-3], Retain As Published [MQTT-3.3.1-12] [MQTT-3.3.1-13], Retain Handling
 * [MQTT-3.3.1-9] [MQTT-3.3.1-10] [MQTT-3.3.1-11], and the Subscription Identifier on every
 * delivery [MQTT-3.3.4-3].
 */
class SubscriptionOptionsSection3_8_3Test {

  private final BridgeFixture fixture = new BridgeFixture();

  @AfterEach
  void close() {
    fixture.close();
  }

  @Test
  void whenNoLocal_thenOwnPublicationsAreNotDelivered_butOtherClientsAre() {
    Client self = fixture.connect("self");
    Client other = fixture.connect("other");
    self.subscribe(subscription("chat/#", 1, true, false, 0, 0));
    other.subscribe(subscription("chat/#", 1, false, false, 0, 0));

    self.publish("chat/a", "mine");
    other.publish("chat/a", "theirs");

    assertThat(self.drain()).extracting(BridgeFixture::text).containsExactly("theirs");
    assertThat(other.drain()).extracting(BridgeFixture::text).containsExactly("mine", "theirs");
  }

  @Test
  void whenNoLocal_thenItHoldsAcrossConnectionsOfTheSameClientId() {
    Client self = fixture.connect("self", false, SessionRequest.NEVER);
    self.subscribe(subscription("t", 1, true, false, 0, 0));
    self.session.detach();

    Client again = fixture.connect("self", false, SessionRequest.NEVER);
    again.publish("t", "mine");

    assertThat(again.drain()).isEmpty();
  }

  @Test
  void whenNoLocal_thenOwnRetainedMessageIsNotSentAtSubscribe_butOthersAre() {
    Client self = fixture.connect("self");
    self.publish("state/self", "mine", 1, true, MessageProperties.NONE);
    fixture.connect("other").publish("state/other", "theirs", 1, true, MessageProperties.NONE);

    self.subscribe(subscription("state/+", 1, true, false, 0, 0));

    assertThat(self.drain()).extracting(BridgeFixture::text).containsExactly("theirs");
  }

  @Test
  void whenRetainAsPublished_thenForwardedRetainFlagIsKept_otherwiseCleared() {
    Client kept = fixture.connect("kept");
    Client cleared = fixture.connect("cleared");
    kept.subscribe(subscription("s", 1, false, true, 0, 0));
    cleared.subscribe(subscription("s", 1, false, false, 0, 0));

    fixture.connect("pub").publish("s", "on", 1, true, MessageProperties.NONE);
    fixture.connect("pub").publish("s", "off", 1, false, MessageProperties.NONE);

    assertThat(kept.drain()).extracting(Delivery::retain).containsExactly(true, false);
    assertThat(cleared.drain()).extracting(Delivery::retain).containsExactly(false, false);
  }

  @Test
  void whenRetainedMessageIsSentAtSubscribe_thenRetainIsSetWhateverRetainAsPublished() {
    fixture.connect("pub").publish("s", "kept", 2, true, MessageProperties.NONE);
    Client sub = fixture.connect("sub");

    sub.subscribe(subscription("s", 1, false, false, 0, 0));

    Delivery retained = sub.drain().get(0);
    assertThat(retained.retain()).isTrue();
    assertThat(retained.qos()).isEqualTo(1);
  }

  @Test
  void whenRetainHandling1_thenRetainedSentForANewSubscriptionOnly_while0SendsThemAgain() {
    fixture.connect("pub").publish("r", "kept", 1, true, MessageProperties.NONE);
    Client sub = fixture.connect("sub");

    sub.subscribe(subscription("r", 1, false, false, 1, 0));
    List<Delivery> first = sub.drain();
    sub.subscribe(subscription("r", 1, false, false, 1, 0));
    List<Delivery> again = sub.drain();
    sub.subscribe(subscription("r", 1, false, false, 0, 0));
    List<Delivery> withHandling0 = sub.drain();

    assertThat(first).hasSize(1);
    assertThat(again).isEmpty();
    assertThat(withHandling0).hasSize(1);
  }

  @Test
  void whenRetainHandling2_thenRetainedAreNeverSent_butLaterMessagesAre() {
    Client pub = fixture.connect("pub");
    pub.publish("r", "kept", 1, true, MessageProperties.NONE);
    Client sub = fixture.connect("sub");

    sub.subscribe(subscription("r", 1, false, false, 2, 0));
    List<Delivery> atSubscribe = sub.drain();
    pub.publish("r", "live");

    assertThat(atSubscribe).isEmpty();
    assertThat(sub.drain()).extracting(BridgeFixture::text).containsExactly("live");
  }

  @Test
  void whenSubscriptionHasAnIdentifier_thenEveryDeliveryCarriesIt_retainedAtSubscribeToo() {
    Client pub = fixture.connect("pub");
    pub.publish("id/r", "kept", 1, true, MessageProperties.NONE);
    Client sub = fixture.connect("sub");

    sub.subscribe(subscription("id/#", 1, false, false, 0, 268_435_455));
    pub.publish("id/x", "live");

    assertThat(sub.drain()).extracting(Delivery::subscriptionIds)
        .containsExactly(new int[] {268_435_455}, new int[] {268_435_455});
  }

  @Test
  void whenSubscriptionIsReplaced_thenTheNewIdentifierAndOptionsApply() {
    Client sub = fixture.connect("sub");
    sub.subscribe(subscription("t", 1, true, false, 0, 3));
    sub.subscribe(subscription("t", 2, false, false, 0, 9));

    sub.publish("t", "mine", 2, false, MessageProperties.NONE);
    sub.subscribe(new SubscriptionRequest("t", 0));
    sub.publish("t", "again", 2, false, MessageProperties.NONE);

    List<Delivery> delivered = sub.drain();
    assertThat(delivered).extracting(Delivery::qos).containsExactly(2, 0);
    assertThat(delivered.get(0).subscriptionIds()).containsExactly(9);
    assertThat(delivered.get(1).subscriptionIds()).isEmpty();
  }
}
