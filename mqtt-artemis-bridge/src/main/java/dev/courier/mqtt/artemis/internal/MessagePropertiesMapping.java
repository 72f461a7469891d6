package dev.courier.mqtt.artemis.internal;

import dev.courier.mqtt.transport.spi.bridge.MessageProperties;
import dev.courier.mqtt.transport.spi.bridge.MessageProperties.UserProperty;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.apache.activemq.artemis.api.core.Message;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.reader.MessageUtil;

/**
 * The MQTT 5.0 message properties (section 3.3.2.3) as Artemis message headers and properties that
 * JMS and Core clients read and write, both ways:
 *
 * <ul>
 *   <li>Response Topic: the JMS reply-to header ({@code JMSReplyTo}), as the JMS client writes it:
 *       {@code topic://} and the topic's mapped address, so that {@code getJMSReplyTo()} is a
 *       {@code Topic} a JMS responder can send to. From JMS, any reply-to ({@code topic://},
 *       {@code queue://}, {@code temp-queue://}, {@code temp-topic://}) becomes the MQTT topic of
 *       its address; an MQTT responder publishing there reaches that address, so a JMS
 *       requestor's (temporary) queue too. A reply-to that is not a valid topic name (empty,
 *       wildcards) is left out.
 *   <li>Correlation Data: {@code JMSCorrelationID}, as a string when the bytes are valid UTF-8 (so
 *       that {@code getJMSCorrelationID()} works, and the bytes come back unchanged), else as
 *       bytes ({@code getJMSCorrelationIDAsBytes()}); a string from JMS arrives as its UTF-8.
 *   <li>Content Type: the string property {@value #CONTENT_TYPE}; Payload Format Indicator: the int
 *       property {@value #PAYLOAD_FORMAT} (0 or 1, absent if not sent); a JMS TextMessage without
 *       it is delivered with 1 (UTF-8).
 *   <li>User Properties: in order, duplicates kept, in the bytes property {@value #USER_PROPERTIES}
 *       for MQTT subscribers; and each as a plain string property named as the user property
 *       (the last value of a repeated name), for JMS consumers and selectors, unless the name is
 *       empty or starts with {@code JMS}, {@code _}, {@code MQTT_} or {@code courier_} (header and
 *       internal names). From JMS or Core, without {@value #USER_PROPERTIES}: every application
 *       property (not one of those prefixes) as a user property, value as a string, by name.
 *   <li>Message Expiry: the Artemis expiration (epoch ms), so that Artemis drops (or moves to the
 *       expiry address) what expires in a queue; a JMS time-to-live becomes the MQTT expiry.
 * </ul>
 *
 * <p>A message without properties costs no allocation on delivery: {@link #read} looks up a few
 * keys and returns {@link MessageProperties#NONE}.
 */
final class MessagePropertiesMapping {

  /** The MQTT Content Type. */
  static final String CONTENT_TYPE = "MQTT_CONTENT_TYPE";
  /** The MQTT Payload Format Indicator, 0 or 1. */
  static final String PAYLOAD_FORMAT = "MQTT_PAYLOAD_FORMAT";
  /** The MQTT User Properties, encoded in order (see {@link #encode}). */
  static final String USER_PROPERTIES = "MQTT_USER_PROPERTIES";
  /** How the JMS client prefixes a topic reply-to. */
  static final String TOPIC_PREFIX = "topic://";

  private static final SimpleString CONTENT_TYPE_KEY = SimpleString.of(CONTENT_TYPE);
  private static final SimpleString PAYLOAD_FORMAT_KEY = SimpleString.of(PAYLOAD_FORMAT);
  private static final SimpleString USER_PROPERTIES_KEY = SimpleString.of(USER_PROPERTIES);
  private static final SimpleString REPLY_TO = MessageUtil.REPLYTO_HEADER_NAME;
  private static final SimpleString CORRELATION_ID = MessageUtil.CORRELATIONID_HEADER_NAME;
  private static final String[] REPLY_PREFIXES =
      {TOPIC_PREFIX, "queue://", "temp-queue://", "temp-topic://"};
  private static final String[] INTERNAL_PREFIXES = {"JMS", "_", "MQTT_", "courier_"};

  private MessagePropertiesMapping() {}

  /** Writes the properties (not {@link MessageProperties#NONE}) onto a Core message. */
  static void write(MessageProperties properties, Message message) {
    if (properties.expiresAtMillis() != 0) {
      message.setExpiration(properties.expiresAtMillis());
    }
    if (properties.payloadFormat() >= 0) {
      message.putIntProperty(PAYLOAD_FORMAT_KEY, properties.payloadFormat());
    }
    if (properties.contentType() != null) {
      message.putStringProperty(CONTENT_TYPE_KEY, SimpleString.of(properties.contentType()));
    }
    if (properties.responseTopic() != null) {
      message.putStringProperty(REPLY_TO,
          SimpleString.of(TOPIC_PREFIX + TopicMapping.toAddress(properties.responseTopic())));
    }
    byte[] correlation = properties.correlationData();
    if (correlation != null) {
      String text = utf8(correlation);
      if (text != null) {
        message.putStringProperty(CORRELATION_ID, SimpleString.of(text));
      } else {
        message.putBytesProperty(CORRELATION_ID, correlation);
      }
    }
    List<UserProperty> user = properties.userProperties();
    if (!user.isEmpty()) {
      message.putBytesProperty(USER_PROPERTIES_KEY, encode(user));
      for (UserProperty property : user) {
        if (isApplicationName(property.name())) {
          message.putStringProperty(property.name(), property.value());
        }
      }
    }
  }

  /**
   * The MQTT properties of a message from MQTT, JMS or Core.
   *
   * @param expiresAtMillis the message's expiry (epoch ms, 0 for none)
   * @return {@link MessageProperties#NONE} when there are none
   */
  static MessageProperties read(Message message, long expiresAtMillis) {
    Object format = message.getObjectProperty(PAYLOAD_FORMAT_KEY);
    Object contentType = message.getObjectProperty(CONTENT_TYPE_KEY);
    Object replyTo = message.getObjectProperty(REPLY_TO);
    Object correlation = message.getObjectProperty(CORRELATION_ID);
    Object user = message.getObjectProperty(USER_PROPERTIES_KEY);
    boolean fromMqtt = message.getObjectProperty(ArtemisMessages.CLIENT_ID_KEY) != null;
    boolean text = message.getType() == Message.TEXT_TYPE;
    if (format == null && contentType == null && replyTo == null && correlation == null
        && user == null && expiresAtMillis == 0 && fromMqtt && !text) {
      return MessageProperties.NONE;
    }
    List<UserProperty> userProperties = user instanceof byte[] bytes ? decode(bytes)
        : fromMqtt ? List.of() : applicationProperties(message);
    int payloadFormat = format instanceof Number n && (n.intValue() == 0 || n.intValue() == 1)
        ? n.intValue() : text ? 1 : -1;
    MessageProperties properties = new MessageProperties(payloadFormat,
        contentType == null ? null : contentType.toString(), responseTopic(replyTo),
        correlationData(correlation), userProperties, Math.max(0, expiresAtMillis));
    return properties.isEmpty() ? MessageProperties.NONE : properties;
  }

  private static String responseTopic(Object replyTo) {
    if (replyTo == null) {
      return null;
    }
    String address = replyTo.toString();
    for (String prefix : REPLY_PREFIXES) {
      if (address.startsWith(prefix)) {
        address = address.substring(prefix.length());
        break;
      }
    }
    String topic = TopicMapping.toTopic(address);
    // [MQTT-3.3.2-14] a Response Topic is a topic name: never empty, no wildcards
    if (topic.isEmpty() || topic.indexOf('+') >= 0 || topic.indexOf('#') >= 0
        || topic.indexOf('\u0000') >= 0) {
      return null;
    }
    return topic;
  }

  private static byte[] correlationData(Object correlation) {
    if (correlation instanceof byte[] bytes) {
      return bytes;
    }
    return correlation == null ? null : correlation.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** The application properties of a JMS or Core message, by name. */
  private static List<UserProperty> applicationProperties(Message message) {
    TreeMap<String, String> byName = null;
    for (SimpleString name : message.getPropertyNames()) {
      String key = name.toString();
      if (!isApplicationName(key)) {
        continue;
      }
      Object value = message.getObjectProperty(name);
      if (value == null || value instanceof byte[]) {
        continue; // bytes have no string form an MQTT user property could carry
      }
      if (byName == null) {
        byName = new TreeMap<>();
      }
      byName.put(key, value.toString());
    }
    if (byName == null) {
      return List.of();
    }
    List<UserProperty> properties = new ArrayList<>(byName.size());
    byName.forEach((name, value) -> properties.add(new UserProperty(name, value)));
    return properties;
  }

  /** Whether a name is an application property's (not a header's or Artemis's own). */
  static boolean isApplicationName(String name) {
    if (name.isEmpty()) {
      return false;
    }
    for (String prefix : INTERNAL_PREFIXES) {
      if (name.startsWith(prefix)) {
        return false;
      }
    }
    return true;
  }

  /** The string of valid UTF-8 bytes, or null if they are not valid UTF-8. */
  static String utf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  /**
   * User properties as bytes: a 4-byte count, then per property the name and the value, each a
   * 4-byte length and its UTF-8 bytes (big-endian).
   */
  static byte[] encode(List<UserProperty> properties) {
    byte[][] parts = new byte[properties.size() * 2][];
    int size = 4;
    for (int i = 0; i < properties.size(); i++) {
      parts[2 * i] = properties.get(i).name().getBytes(StandardCharsets.UTF_8);
      parts[2 * i + 1] = properties.get(i).value().getBytes(StandardCharsets.UTF_8);
      size += 8 + parts[2 * i].length + parts[2 * i + 1].length;
    }
    ByteBuffer out = ByteBuffer.allocate(size).putInt(properties.size());
    for (byte[] part : parts) {
      out.putInt(part.length).put(part);
    }
    return out.array();
  }

  /** The inverse of {@link #encode}; what does not decode is left out. */
  static List<UserProperty> decode(byte[] bytes) {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    try {
      int count = in.getInt();
      List<UserProperty> properties = new ArrayList<>(Math.min(count, bytes.length / 8));
      for (int i = 0; i < count; i++) {
        properties.add(new UserProperty(string(in), string(in)));
      }
      return properties;
    } catch (RuntimeException malformed) {
      return List.of(); // not written by us (a JMS client set the property): ignored
    }
  }

  private static String string(ByteBuffer in) {
    byte[] bytes = new byte[in.getInt()];
    in.get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
