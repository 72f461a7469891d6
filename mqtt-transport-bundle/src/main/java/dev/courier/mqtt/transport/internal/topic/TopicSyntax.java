package dev.courier.mqtt.transport.internal.topic;

import dev.courier.mqtt.transport.spi.topic.TopicFilters;
import java.util.Objects;

/**
 * Syntax rules of MQTT topic names and topic filters (spec section 4.7), and a validating matcher
 * between the two, as the engine asks them: the rules themselves are the exported {@link
 * TopicFilters}, which the authorizer and the bridges use too, so there is one copy of them.
 *
 * <p>All methods are pure functions of their arguments and safe to call from any thread. The
 * publish path uses {@link SubscriptionTrie}, which must agree with {@link #matches(String,
 * String)}.
 *
 * @since 0.1.0
 */
public final class TopicSyntax {

  private TopicSyntax() {
  }

  /**
   * Tells whether {@code name} may be used as the topic name of a PUBLISH packet; see {@link
   * TopicFilters#isValidTopicName(String)}.
   *
   * @param name the candidate topic name, may be {@code null} (then invalid)
   * @return {@code true} if the name is a valid MQTT topic name
   */
  public static boolean isValidTopicName(String name) {
    return TopicFilters.isValidTopicName(name);
  }

  /**
   * Tells whether {@code filter} may be used as a topic filter in SUBSCRIBE or UNSUBSCRIBE; see
   * {@link TopicFilters#isValidFilter(String)}.
   *
   * @param filter the candidate topic filter, may be {@code null} (then invalid)
   * @return {@code true} if the filter is a valid MQTT topic filter
   */
  public static boolean isValidTopicFilter(String filter) {
    return TopicFilters.isValidFilter(filter);
  }

  /**
   * Reference matcher: tells whether a subscription with {@code filter} receives a message
   * published to {@code topicName} ({@link TopicFilters#matches}); invalid arguments never match.
   *
   * @param filter a topic filter, see {@link #isValidTopicFilter(String)}
   * @param topicName a topic name, see {@link #isValidTopicName(String)}
   * @return {@code true} if both are valid and the filter matches the topic name
   * @throws NullPointerException if an argument is {@code null}
   */
  public static boolean matches(String filter, String topicName) {
    Objects.requireNonNull(filter, "filter");
    Objects.requireNonNull(topicName, "topicName");
    return isValidTopicFilter(filter) && isValidTopicName(topicName)
        && TopicFilters.matches(filter, topicName);
  }

  /**
   * {@link #matches} for arguments already known to be valid: no validation, no allocation; for
   * hot paths that match validated names against validated filters.
   *
   * @param filter a valid topic filter
   * @param topicName a valid topic name
   * @return {@code true} if the filter matches the topic name
   */
  public static boolean matchesValid(String filter, String topicName) {
    return TopicFilters.matches(filter, topicName);
  }

  /** Index of the separator ending the level that starts at {@code start}, or the length. */
  static int levelEnd(String topic, int start) {
    int separator = topic.indexOf(TopicFilters.LEVEL_SEPARATOR, start);
    return separator < 0 ? topic.length() : separator;
  }
}
