package dev.courier.mqtt.artemis.internal;

import dev.courier.mqtt.transport.spi.bridge.MessageProperties;
import dev.courier.mqtt.transport.spi.bridge.Publication;
import dev.courier.mqtt.transport.spi.topic.TopicFilters;
import java.nio.charset.StandardCharsets;
import org.apache.activemq.artemis.api.core.ActiveMQBuffer;
import org.apache.activemq.artemis.api.core.ICoreMessage;
import org.apache.activemq.artemis.api.core.Message;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.message.impl.CoreMessage;
import org.apache.activemq.artemis.reader.TextMessageUtil;

/**
 * MQTT publications as Artemis messages and back, with properties that JMS, AMQP and Core clients
 * can read.
 *
 * <p>An MQTT publication becomes a durable (QoS 1 and 2) or non-durable (QoS 0) Core message of the
 * JMS BytesMessage type, whose body is the payload and whose properties are {@value #TOPIC} (the
 * MQTT topic), {@value #QOS} and {@value #RETAIN}, and {@value #CLIENT_ID} (the publisher). A
 * message from another protocol reaches MQTT subscribers with the QoS in {@value #QOS} if it has
 * one, else QoS 1 if it is durable (a JMS PERSISTENT message) and QoS 0 if not; always capped by the
 * subscription's QoS. A JMS TextMessage's text arrives as UTF-8 bytes; any other body as its bytes.
 * The MQTT 5.0 properties map as {@link MessagePropertiesMapping} says.
 */
final class ArtemisMessages {

  /** The MQTT topic name of the message. */
  static final String TOPIC = "MQTT_TOPIC";
  /** The QoS the publisher used, 0 to 2. */
  static final String QOS = "MQTT_QOS";
  /** Whether the publisher set the retain flag. */
  static final String RETAIN = "MQTT_RETAIN";
  /** The MQTT client id of the publisher. */
  static final String CLIENT_ID = "MQTT_CLIENT_ID";

  private static final SimpleString TOPIC_KEY = SimpleString.of(TOPIC);
  private static final SimpleString QOS_KEY = SimpleString.of(QOS);
  private static final SimpleString RETAIN_KEY = SimpleString.of(RETAIN);
  static final SimpleString CLIENT_ID_KEY = SimpleString.of(CLIENT_ID);

  private ArtemisMessages() {}

  /** A Core message for a publication, addressed to {@code address}. */
  static PublishedMessage toMessage(long id, Publication publication, SimpleString address,
      boolean durable) {
    byte[] payload = publication.payload();
    PublishedMessage message = new PublishedMessage(id, publication);
    message.setAddress(address);
    message.setType(Message.BYTES_TYPE);
    message.setDurable(durable);
    message.setTimestamp(System.currentTimeMillis());
    message.getBodyBuffer().writeBytes(payload);
    message.putStringProperty(TOPIC_KEY, SimpleString.of(publication.topic()));
    message.putIntProperty(QOS_KEY, publication.qos());
    if (publication.retain()) {
      message.putBooleanProperty(RETAIN_KEY, true);
    }
    message.putStringProperty(CLIENT_ID_KEY, SimpleString.of(publication.publisherId()));
    if (publication.properties() != MessageProperties.NONE) {
      MessagePropertiesMapping.write(publication.properties(), message);
    }
    return message;
  }

  /** The MQTT 5.0 properties and expiry of a message (see {@link MessagePropertiesMapping}). */
  static MessageProperties properties(Message message) {
    if (message instanceof PublishedMessage published
        && published.properties.expiresAtMillis() == Math.max(0, message.getExpiration())) {
      return published.properties; // as published: the expiry is as the publisher set it
    }
    return MessagePropertiesMapping.read(message, message.getExpiration());
  }

  /** Whether the publisher set the retain flag. */
  static boolean retain(Message message) {
    if (message instanceof PublishedMessage published) {
      return published.retain;
    }
    return Boolean.TRUE.equals(message.getObjectProperty(RETAIN_KEY));
  }

  /**
   * The MQTT topic of a message: its {@value #TOPIC} property if that is a valid topic name
   * (another protocol's client may set it to anything), else its mapped address, which may be no
   * valid topic name either (see {@link TopicFilters#isValidTopicName}).
   */
  static String topic(Message message) {
    if (message instanceof PublishedMessage published) {
      return published.topic; // a valid topic name: the transport checked it
    }
    Object topic = message.getObjectProperty(TOPIC_KEY);
    if (topic != null) {
      String name = topic.toString();
      if (isValidTopicName(name)) {
        return name;
      }
    }
    return TopicMapping.toTopic(message.getAddress());
  }

  /**
   * The last topic name found valid, by any thread: deliveries come in runs on one topic (a
   * subscription's stream, a fan-out of one message), and a string compare costs a fraction of
   * checking every character again. A race only costs a check: the field holds an immutable
   * String, written only when it changes.
   */
  private static volatile String lastValidTopic;

  /** {@link TopicFilters#isValidTopicName}, remembering the last topic it accepted. */
  static boolean isValidTopicName(String name) {
    String last = lastValidTopic;
    if (name.equals(last)) {
      return true;
    }
    if (!TopicFilters.isValidTopicName(name)) {
      return false;
    }
    lastValidTopic = name;
    return true;
  }

  /** The QoS a message was published with (see the class comment for non-MQTT messages). */
  static int qos(Message message) {
    if (message instanceof PublishedMessage published) {
      return published.qos;
    }
    Object qos = message.getObjectProperty(QOS_KEY);
    if (qos instanceof Number number && number.intValue() >= 0 && number.intValue() <= 2) {
      return number.intValue();
    }
    return message.isDurable() ? 1 : 0;
  }

  /** The client id of the MQTT publisher of a message, or null if it came from elsewhere. */
  static String publisherId(Message message) {
    if (message instanceof PublishedMessage published) {
      return published.publisherId;
    }
    Object id = message.getObjectProperty(CLIENT_ID_KEY);
    return id == null ? null : id.toString();
  }

  /** The MQTT payload of a message. */
  static byte[] payload(Message message) {
    if (message instanceof PublishedMessage published) {
      byte[] payload = published.payload();
      if (payload != null) {
        return payload; // shared by every subscriber's delivery, as the in-memory bridge does
      }
    }
    ICoreMessage core = message.toCore();
    ActiveMQBuffer body = core.getReadOnlyBodyBuffer();
    if (core.getType() == Message.TEXT_TYPE) {
      SimpleString text = TextMessageUtil.readBodyText(body);
      return text == null ? new byte[0] : text.toString().getBytes(StandardCharsets.UTF_8);
    }
    byte[] bytes = new byte[body.readableBytes()];
    body.readBytes(bytes);
    return bytes;
  }
}
