package dev.courier.mqtt.transport.internal.protocol.flow;

import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The topic aliases the server uses towards a client on one network connection (MQTT 5.0 section
 * 3.3.2.3.4). Made per connection, so it starts empty every time and no mapping is carried over
 * from one network connection to another [MQTT-3.3.2-7]. Owned by the connection's event loop.
 *
 * <p>Policy: a topic gets the next free alias the first time it is delivered, if it is at least
 * {@link #MIN_TOPIC_LENGTH} characters long: the first PUBLISH carries topic and alias (3 bytes
 * more), every later one an empty topic and the alias (topic length − 3 bytes less). Once every
 * alias is given, no new ones are assigned and the others go with their full topic: no eviction
 * means a hit is one map lookup, the client never has to re-learn a mapping, and alias traffic
 * never costs more than 3 bytes per alias in all, where LRU churns (3 bytes more on every miss)
 * as soon as a subscriber sees more topics than aliases. The cost: topics seen late keep their
 * full name for the rest of the connection.
 */
final class OutboundTopicAliases {

  private static final Logger LOG = LoggerFactory.getLogger(OutboundTopicAliases.class);
  /**
   * Shortest topic worth an alias: from 5 characters on an alias has paid for itself by the third
   * PUBLISH; a shorter topic would take more repeats to make up for the first one's 3 bytes.
   */
  static final int MIN_TOPIC_LENGTH = 5;
  /** Most aliases kept per connection whatever the client allows: bounds the memory they hold. */
  static final int LIMIT = 128;

  private final String clientId;
  private final int maximum;
  private final Map<String, Integer> aliases;

  /**
   * @param clientMaximum the client's Topic Alias Maximum, at least 1
   */
  OutboundTopicAliases(String clientId, int clientMaximum) {
    this.clientId = clientId;
    // [MQTT-3.3.2-11] [MQTT-3.1.2-26] never an alias above the client's maximum.
    this.maximum = Math.min(clientMaximum, LIMIT);
    this.aliases = new HashMap<>();
  }

  /** The alias the client already knows for {@code topic}, or 0 for none. */
  int known(String topic) {
    Integer alias = aliases.get(topic);
    return alias == null ? 0 : alias;
  }

  /**
   * The alias {@code topic} would get now (1 to the maximum, never 0 [MQTT-3.3.2-8]), or 0 if it is
   * too short or all aliases are given. Nothing is recorded until {@link #assign}: a PUBLISH that is
   * not sent must not leave the client an alias it never learned.
   */
  int next(String topic) {
    if (topic.length() < MIN_TOPIC_LENGTH || aliases.size() >= maximum) {
      return 0;
    }
    return aliases.size() + 1;
  }

  /** Records that a PUBLISH carrying {@code topic} and {@code alias} (from {@link #next}) is sent. */
  void assign(String topic, int alias) {
    aliases.put(topic, alias);
    if (alias == maximum) {
      LOG.debug("Client {}: all {} outbound topic aliases in use; new topics go unaliased",
          clientId, maximum);
    }
  }
}
