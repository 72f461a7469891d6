package dev.courier.mqtt.artemis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.spi.bridge.MessageProperties;
import dev.courier.mqtt.transport.spi.bridge.MessageProperties.UserProperty;
import dev.courier.mqtt.transport.spi.bridge.Publication;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.activemq.artemis.api.core.Message;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.message.impl.CoreMessage;
import org.junit.jupiter.api.Test;

/**
 * What a subscriber reads of a {@link PublishedMessage} from its own fields is what it would read
 * from the Core message Artemis has: a copy of it (as a divert, a page or the journal gives back)
 * is a plain Core message and reads the same through its properties and body.
 */
class PublishedMessageTest {

  private static final SimpleString ADDRESS = SimpleString.of("a.b");

  private static void assertSameReading(Message published, Message plain) {
    assertThat(published).isInstanceOf(PublishedMessage.class);
    assertThat(plain).isNotInstanceOf(PublishedMessage.class);
    assertThat(ArtemisMessages.topic(published)).isEqualTo(ArtemisMessages.topic(plain));
    assertThat(ArtemisMessages.qos(published)).isEqualTo(ArtemisMessages.qos(plain));
    assertThat(ArtemisMessages.retain(published)).isEqualTo(ArtemisMessages.retain(plain));
    assertThat(ArtemisMessages.publisherId(published))
        .isEqualTo(ArtemisMessages.publisherId(plain));
    assertThat(ArtemisMessages.payload(published)).isEqualTo(ArtemisMessages.payload(plain));
    assertThat(ArtemisMessages.properties(published)).usingRecursiveComparison()
        .isEqualTo(ArtemisMessages.properties(plain));
  }

  @Test
  void whenAnMqtt5PublicationHasEveryProperty_thenItsFieldsReadAsItsCoreCopy() {
    MessageProperties properties = new MessageProperties(1, "application/json",
        "replies/eu.west", "corr".getBytes(StandardCharsets.UTF_8),
        List.of(new UserProperty("region", "eu"), new UserProperty("region", "west")),
        System.currentTimeMillis() + 60_000);
    Publication publication = new Publication("a/b", "{}".getBytes(StandardCharsets.UTF_8), 2,
        true, "pub", properties);

    PublishedMessage message = ArtemisMessages.toMessage(7, publication, ADDRESS, true);

    assertSameReading(message, message.copy());
    assertThat(ArtemisMessages.properties(message)).isSameAs(properties);
  }

  @Test
  void whenAnMqtt3PublicationHasNone_thenItsFieldsReadAsItsCoreCopy() {
    Publication publication = new Publication("a/b", new byte[] {1, 2, 3}, 0, false, "pub");

    PublishedMessage message = ArtemisMessages.toMessage(8, publication, ADDRESS, false);

    assertSameReading(message, message.copy());
  }

  @Test
  void whenArtemisChangedTheExpiry_thenThePropertiesAreReadFromTheMessage() {
    Publication publication = new Publication("a/b", new byte[0], 1, false, "pub",
        new MessageProperties(-1, null, null, null, List.of(), 0));
    PublishedMessage message = ArtemisMessages.toMessage(9, publication, ADDRESS, true);
    long expiresAt = System.currentTimeMillis() + 5_000;

    message.setExpiration(expiresAt); // as an address's expiry-delay setting does when routed

    assertThat(ArtemisMessages.properties(message).expiresAtMillis()).isEqualTo(expiresAt);
  }

  @Test
  void whenAQueueTookIt_thenThePayloadComesFromTheBodyAlone() {
    byte[] payload = "kept once".getBytes(StandardCharsets.UTF_8);
    PublishedMessage message = ArtemisMessages.toMessage(10,
        new Publication("a/b", payload, 1, false, "pub"), ADDRESS, true);
    assertThat(ArtemisMessages.payload(message)).isSameAs(payload);

    message.queued();

    assertThat(message.payload()).isNull();
    assertThat(ArtemisMessages.payload(message)).isNotSameAs(payload).isEqualTo(payload);
    CoreMessage plain = (CoreMessage) message.copy();
    assertThat(ArtemisMessages.payload(plain)).isEqualTo(payload);
  }
}
