package dev.courier.mqtt.artemis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.spi.bridge.BridgeSession;
import dev.courier.mqtt.transport.spi.bridge.Delivery;
import dev.courier.mqtt.transport.spi.bridge.MessageProperties;
import dev.courier.mqtt.transport.spi.bridge.MessageProperties.UserProperty;
import dev.courier.mqtt.transport.spi.bridge.Publication;
import dev.courier.mqtt.transport.spi.bridge.SubscriptionRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * MQTT 5.0 section 3.3.2.3: the properties of a PUBLISH reach every subscriber unchanged
 * [MQTT-3.3.2-4] [MQTT-3.3.2-17] [MQTT-3.3.2-18] [MQTT-3.3.2-20], through Artemis queues,
 * retained records and restarts.
 */
class MessagePropertiesSection3_3_2Test extends ArtemisTestSupport {

  private static final List<UserProperty> USER = List.of(new UserProperty("k", "1"),
      new UserProperty("", "empty name"), new UserProperty("k", "2"),
      new UserProperty("ünï", "çødé"), new UserProperty("JMSType", "x"));

  MessagePropertiesSection3_3_2Test() {
    super(100);
  }

  private BridgeSession subscribed(String clientId, String filter) throws Exception {
    BridgeSession subscriber = open(clientId, true);
    subscriber.attach(new RecordingSink(subscriber));
    await(subscriber.subscribe(List.of(new SubscriptionRequest(filter, 1))));
    return subscriber;
  }

  private static Publication publication(String topic, boolean retain, MessageProperties p) {
    return new Publication(topic, "x".getBytes(StandardCharsets.UTF_8), 1, retain, "pub", p);
  }

  @Test
  void whenPublishedWithEveryProperty_thenDeliveredWithTheSameProperties() throws Exception {
    BridgeSession subscriber = subscribed("sub", "p/#");
    for (byte[] correlation : List.of("c".getBytes(StandardCharsets.UTF_8),
        new byte[] {(byte) 0xFF, 0, 1}, new byte[0])) {
      MessageProperties sent = new MessageProperties(0, "text/csv; charset=x", "resp/a.b/c",
          correlation, USER, System.currentTimeMillis() + 3_600_000);
      await(open("pub", true).publish(publication("p/q", false, sent)));

      MessageProperties got = new RecordingSink(subscriber).take(1, true).get(0).properties();
      assertThat(got.payloadFormat()).isZero();
      assertThat(got.contentType()).isEqualTo(sent.contentType());
      assertThat(got.responseTopic()).isEqualTo("resp/a.b/c");
      assertThat(got.correlationData()).containsExactly(correlation);
      assertThat(got.userProperties()).as("order and duplicates kept")
          .containsExactlyElementsOf(USER);
      assertThat(got.expiresAtMillis()).isEqualTo(sent.expiresAtMillis());
    }
  }

  @Test
  void whenPublishedWithoutProperties_thenDeliveredWithNone() throws Exception {
    BridgeSession subscriber = subscribed("sub", "p");
    await(open("pub", true).publish(publication("p", false, MessageProperties.NONE)));
    Delivery got = new RecordingSink(subscriber).take(1, true).get(0);
    assertThat(got.properties()).isSameAs(MessageProperties.NONE);
  }

  @Test
  void whenRetainedWithPropertiesAndRestarted_thenANewSubscriberGetsThemAndTheExpiry()
      throws Exception {
    MessageProperties sent = new MessageProperties(1, "a/b", "r/resp", new byte[] {1, 2}, USER,
        System.currentTimeMillis() + 3_600_000);
    await(open("pub", true).publish(publication("r/x", true, sent)));
    bridge = broker.restart();

    BridgeSession subscriber = subscribed("sub", "r/#");
    Delivery got = new RecordingSink(subscriber).take(1, true).get(0);
    assertThat(got.retain()).isTrue();
    assertThat(got.properties()).usingRecursiveComparison().isEqualTo(sent);
  }
}
