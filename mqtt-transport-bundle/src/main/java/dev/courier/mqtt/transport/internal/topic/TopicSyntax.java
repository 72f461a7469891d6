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

  /**
   * Tells whether {@code topic} (a name or a filter) is at most {@code maxBytes} long in UTF-8.
   * Decided from its length in chars alone unless that is near the bound; allocation-free.
   *
   * @param topic a topic name or filter whose UTF-16 is well-formed (as a valid one is)
   * @param maxBytes the bound, at least 0
   * @return {@code true} if its UTF-8 encoding has at most {@code maxBytes} bytes
   */
  public static boolean fitsLength(String topic, int maxBytes) {
    int chars = topic.length();
    if (chars > maxBytes) {
      return false; // every char takes at least one byte
    }
    if (chars <= maxBytes / 3) {
      return true; // and at most three (a surrogate pair: two chars, four bytes)
    }
    return utf8Length(topic) <= maxBytes;
  }

  /**
   * Tells whether {@code topic} (a name or a filter) has at most {@code maxLevels} levels, that is
   * fewer than {@code maxLevels} separators: {@code a/b} has two, {@code /} two empty ones.
   * Decided from its length alone unless that is near the bound; allocation-free.
   *
   * @param topic a topic name or filter
   * @param maxLevels the bound, at least 1
   * @return {@code true} if it has at most {@code maxLevels} levels
   */
  public static boolean fitsLevels(String topic, int maxLevels) {
    if (topic.length() < maxLevels) {
      return true; // a topic of n chars has at most n + 1 levels
    }
    int levels = 1;
    for (int i = topic.indexOf(TopicFilters.LEVEL_SEPARATOR); i >= 0;
        i = topic.indexOf(TopicFilters.LEVEL_SEPARATOR, i + 1)) {
      if (++levels > maxLevels) {
        return false;
      }
    }
    return levels <= maxLevels;
  }

  /** Bytes of the UTF-8 encoding of well-formed UTF-16 {@code text}. */
  static int utf8Length(String text) {
    int bytes = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        bytes++;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        bytes += 4; // one code point above U+FFFF
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }

  /** Index of the separator ending the level that starts at {@code start}, or the length. */
  static int levelEnd(String topic, int start) {
    int separator = topic.indexOf(TopicFilters.LEVEL_SEPARATOR, start);
    return separator < 0 ? topic.length() : separator;
  }
}
