package dev.courier.mqtt.transport.internal.protocol.flow;

import dev.courier.mqtt.transport.internal.protocol.context.ProtocolViolation;
import dev.courier.mqtt.transport.internal.protocol.dialect.ReasonCode;

/**
 * The topic aliases a client set on one connection (MQTT 5.0 section 3.3.2.3.4): alias numbers 1 to
 * the maximum we advertised, each standing for the topic of the last PUBLISH that set it. Aliases
 * live and die with the connection [MQTT-3.3.2-7].
 */
final class TopicAliases {

  private final int maximum;
  private String[] topics;

  TopicAliases(int maximum) {
    this.maximum = maximum;
  }

  /**
   * The topic a PUBLISH stands for.
   *
   * @param topic the PUBLISH's topic name, possibly empty
   * @param alias its Topic Alias property, or -1 if absent
   * @throws ProtocolViolation 0x94 for alias 0 or above our maximum [MQTT-3.3.2-8]
   *     [MQTT-3.3.2-9]; 0x82 for an empty topic with an unknown alias, or without one
   */
  String resolve(String topic, long alias) {
    if (alias < 0) {
      if (topic.isEmpty()) {
        // 3.3.2.1: a zero-length Topic Name without a Topic Alias is a Protocol Error (and
        // [MQTT-4.7.3-1] in 3.1.1, where closing is all there is).
        throw new ProtocolViolation("MQTT-4.7.3-1", "empty topic name without a topic alias");
      }
      return topic;
    }
    if (alias == 0 || alias > maximum) {
      throw new ProtocolViolation(ReasonCode.TOPIC_ALIAS_INVALID, "MQTT-3.3.2-8",
          "topic alias " + alias + " outside 1.." + maximum);
    }
    int index = (int) alias - 1;
    if (topic.isEmpty()) {
      String known = topics == null ? null : topics[index];
      if (known == null) {
        throw new ProtocolViolation("MQTT-5.0-3.3.4",
            "empty topic with the unknown topic alias " + alias);
      }
      return known;
    }
    if (topics == null) {
      topics = new String[maximum];
    }
    topics[index] = topic;
    return topic;
  }
}
