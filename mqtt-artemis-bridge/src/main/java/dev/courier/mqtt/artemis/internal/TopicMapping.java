package dev.courier.mqtt.artemis.internal;

import dev.courier.mqtt.transport.spi.bridge.SubscriptionRequest;
import dev.courier.mqtt.transport.spi.topic.TopicFilters;
import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.SimpleString;

/**
 * Maps MQTT topic names and filters to Artemis addresses in Artemis's default wildcard syntax, and
 * back.
 *
 * <p>The mapping swaps characters one for one, so it is reversible: the MQTT level separator
 * {@code /} becomes Artemis's word delimiter {@code .} and a {@code .} inside an MQTT level becomes
 * {@code /}; the single-level wildcard {@code +} becomes {@code *} (and a literal {@code *} becomes
 * {@code +}); {@code #} stays {@code #}. So MQTT {@code sensors/eu.west/temp} is Artemis address
 * {@code sensors.eu/west.temp}, which a JMS topic subscriber names as such.
 */
final class TopicMapping {

  /** Addresses of the bridge's own state; the {@code $} keeps them out of MQTT wildcards. */
  static final String INTERNAL_PREFIX = "$courier.";

  /**
   * Queue filter for subscriptions whose filter starts with a wildcard: [MQTT-4.7.2-1] such a filter
   * does not match topics starting with {@code $}; nor should it see Artemis's own management
   * and notification addresses.
   */
  static final SimpleString NO_SYSTEM_ADDRESSES = SimpleString.of(
      "NOT (AMQAddress LIKE '$%' OR AMQAddress LIKE 'activemq.%')");

  /**
   * What Artemis reads as {@code address::queue}, a fully qualified queue name, in the address of a
   * routed message and in the name and address of a queue it creates.
   */
  static final String FQQN_SEPARATOR = "::";

  private TopicMapping() {}

  /**
   * Whether an MQTT topic, filter, client id or ShareName may become (part of) an Artemis address
   * or queue name: not if it holds {@value #FQQN_SEPARATOR}. With it, a publication would go to the
   * one queue it names, whoever's (the bridge's record queues included), and a subscription would
   * bind, consume and on UNSUBSCRIBE destroy the queue its name or address ends with.
   */
  static boolean isNameable(String mqtt) {
    return !mqtt.contains(FQQN_SEPARATOR);
  }

  /** Whether a client's subscription can have its queue: see {@link #isNameable(String)}. */
  static boolean isNameable(String clientId, SubscriptionRequest request) {
    return isNameable(clientId) && isNameable(request.filter())
        && (!request.shared() || isNameable(request.shareName()));
  }

  /** The Artemis address of an MQTT topic name or filter. */
  static String toAddress(String mqtt) {
    return swap(mqtt, '/', '.', '+', '*');
  }

  /**
   * The binding of a queue that takes what an MQTT filter matches: on the filter's (wildcard)
   * address, multicast, with {@link #NO_SYSTEM_ADDRESSES} if the filter starts with a wildcard
   * [MQTT-4.7.2-1]; durability and consumers are the caller's to set.
   *
   * @param name the queue's name
   * @param filter a valid MQTT topic filter
   */
  static QueueConfiguration subscriptionQueue(SimpleString name, String filter) {
    QueueConfiguration queue = QueueConfiguration.of(name)
        .setAddress(toAddress(filter))
        .setRoutingType(RoutingType.MULTICAST)
        .setAutoCreateAddress(true)
        .setAutoCreated(false);
    if (TopicFilters.startsWithWildcard(filter)) {
      queue.setFilterString(NO_SYSTEM_ADDRESSES);
    }
    return queue;
  }

  /** The MQTT topic of an Artemis address (the inverse of {@link #toAddress}). */
  static String toTopic(String address) {
    return swap(address, '.', '/', '*', '+');
  }

  private static String swap(String in, char from, char to, char fromWild, char toWild) {
    char[] chars = null;
    for (int i = 0; i < in.length(); i++) {
      char c = in.charAt(i);
      char mapped = c == from ? to : c == to ? from
          : c == fromWild ? toWild : c == toWild ? fromWild : c;
      if (mapped != c) {
        if (chars == null) {
          chars = in.toCharArray();
        }
        chars[i] = mapped;
      }
    }
    return chars == null ? in : new String(chars);
  }
}
