package dev.courier.mqtt.transport.internal.protocol.dialect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.spi.bridge.MessageProperties.UserProperty;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import org.junit.jupiter.api.Test;

/** Typed reads of a decoded property section. */
class InboundPropertiesTest {

  @Test
  void whenTheOnlyPropertiesAreUserProperties_thenTheyAreRead() {
    MqttProperties properties = new MqttProperties();
    MqttProperties.UserProperties pairs = new MqttProperties.UserProperties();
    pairs.add("k", "v");
    pairs.add("k", "w");
    properties.add(pairs);

    assertThat(InboundProperties.of(properties).userProperties())
        .containsExactly(new UserProperty("k", "v"), new UserProperty("k", "w"));
  }

  @Test
  void whenTheOnlyPropertyIsASubscriptionIdentifier_thenItIsRead() {
    MqttProperties properties = new MqttProperties();
    properties.add(new MqttProperties.IntegerProperty(
        MqttPropertyType.SUBSCRIPTION_IDENTIFIER.value(), 7));

    assertThat(InboundProperties.of(properties).subscriptionIds()).containsExactly(7);
  }

  @Test
  void whenThereAreNoProperties_thenEverythingIsAbsent() {
    InboundProperties none = InboundProperties.of(null);

    assertThat(none.userProperties()).isEmpty();
    assertThat(none.subscriptionIds()).isEmpty();
    assertThat(none.integer(MqttPropertyType.SESSION_EXPIRY_INTERVAL, -1)).isEqualTo(-1);
  }
}
