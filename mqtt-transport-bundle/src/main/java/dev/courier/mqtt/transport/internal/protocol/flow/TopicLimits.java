package dev.courier.mqtt.transport.internal.protocol.flow;

import dev.courier.mqtt.transport.internal.config.TransportConfig;
import dev.courier.mqtt.transport.internal.protocol.context.ConnectionContext;
import dev.courier.mqtt.transport.internal.topic.TopicSyntax;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's bounds of topic names and filters, {@code maxTopicLength} (bytes of UTF-8) and
 * {@code maxTopicLevels}: which one a topic exceeds, and when one does, its count and a log line
 * (once a minute for all connections, with the count since the last one). The topic itself is not
 * logged: it may be as long as the client made it. Within the defaults a topic costs two
 * comparisons here. Stateless.
 */
final class TopicLimits {

  static final String MAX_TOPIC_LENGTH = "maxTopicLength";
  static final String MAX_TOPIC_LEVELS = "maxTopicLevels";

  private static final Logger LOG = LoggerFactory.getLogger(TopicLimits.class);

  private TopicLimits() {}

  /**
   * The bound {@code topic} exceeds; counted and logged.
   *
   * @param clientId the client's id, for the log
   * @param topic a valid topic name or filter
   * @param what what {@code topic} is, for the log, e.g. "PUBLISH topic name"
   * @return {@link #MAX_TOPIC_LENGTH} or {@link #MAX_TOPIC_LEVELS}, or null if it keeps to both
   */
  static String exceeded(ConnectionContext context, String clientId, String topic, String what) {
    TransportConfig config = context.config();
    String setting;
    int limit;
    long report;
    if (!TopicSyntax.fitsLength(topic, config.maxTopicLength())) {
      setting = MAX_TOPIC_LENGTH;
      limit = config.maxTopicLength();
      report = context.parts().statistics().topicTooLong();
    } else if (!TopicSyntax.fitsLevels(topic, config.maxTopicLevels())) {
      setting = MAX_TOPIC_LEVELS;
      limit = config.maxTopicLevels();
      report = context.parts().statistics().topicTooDeep();
    } else {
      return null;
    }
    LOG.debug("Client {}: {} over {} {}; refused", clientId, what, setting, limit);
    if (report > 0) {
      LOG.info("Topics refused for {} {}: {} since the last report, the latest a {} of client {}",
          setting, limit, report, what, clientId);
    }
    return setting;
  }
}
