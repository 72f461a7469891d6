package dev.courier.mqtt.transport.internal.topic;

import java.util.Objects;

/**
 * Syntax rules of MQTT 3.1.1 topic names and topic filters (spec section 4.7), and a reference
 * matcher between the two.
 *
 * <p>All methods are pure functions of their arguments and safe to call from any thread. The
 * matcher here walks both strings once and is meant for tests and slow paths; the publish path
 * uses {@link SubscriptionTrie}, which must agree with {@link #matches(String, String)}.
 *
 * @since 0.1.0
 */
public final class TopicSyntax {

  /** Separates topic levels [MQTT-4.7.1-1]. */
  static final char LEVEL_SEPARATOR = '/';
  /** Matches any number of levels, including the parent level [MQTT-4.7.1-2]. */
  static final char MULTI_LEVEL_WILDCARD = '#';
  /** Matches exactly one level, possibly empty [MQTT-4.7.1-3]. */
  static final char SINGLE_LEVEL_WILDCARD = '+';
  /** Topic names starting with this character are hidden from leading wildcards [MQTT-4.7.2-1]. */
  static final char SERVER_TOPIC_PREFIX = '$';

  /** Longest UTF-8 encoded string an MQTT length prefix can carry [MQTT-4.7.3-3]. */
  private static final int MAX_UTF8_BYTES = 65_535;

  private TopicSyntax() {
  }

  /**
   * Tells whether {@code name} may be used as the topic name of a PUBLISH packet.
   *
   * <p>A valid name is at least one character long, carries no wildcard character, no U+0000
   * and no unpaired surrogate, and encodes to at most 65535 UTF-8 bytes. Empty levels (as in
   * {@code "a//b"}, {@code "/a"} or {@code "a/"}) are valid.
   *
   * @param name the candidate topic name, may be {@code null} (then invalid)
   * @return {@code true} if the name is a valid MQTT 3.1.1 topic name
   */
  public static boolean isValidTopicName(String name) {
    // [MQTT-4.7.3-1] at least one character
    if (name == null || name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      // [MQTT-3.3.2-2] [MQTT-4.7.1-1] no wildcards in a topic name
      if (c == MULTI_LEVEL_WILDCARD || c == SINGLE_LEVEL_WILDCARD) {
        return false;
      }
    }
    return isEncodable(name);
  }

  /**
   * Tells whether {@code filter} may be used as a topic filter in SUBSCRIBE or UNSUBSCRIBE.
   *
   * <p>Besides the rules shared with topic names (non-empty, no U+0000, no unpaired surrogate,
   * at most 65535 UTF-8 bytes), {@code #} may only appear as the whole last level and {@code +}
   * only as a whole level.
   *
   * @param filter the candidate topic filter, may be {@code null} (then invalid)
   * @return {@code true} if the filter is a valid MQTT 3.1.1 topic filter
   */
  public static boolean isValidTopicFilter(String filter) {
    // [MQTT-4.7.3-1] at least one character
    if (filter == null || filter.isEmpty()) {
      return false;
    }
    int length = filter.length();
    for (int i = 0; i < length; i++) {
      char c = filter.charAt(i);
      if (c != MULTI_LEVEL_WILDCARD && c != SINGLE_LEVEL_WILDCARD) {
        continue;
      }
      boolean startsLevel = i == 0 || filter.charAt(i - 1) == LEVEL_SEPARATOR;
      if (c == MULTI_LEVEL_WILDCARD) {
        // [MQTT-4.7.1-2] '#' alone or after a separator, and the last character
        if (!startsLevel || i != length - 1) {
          return false;
        }
      } else {
        // [MQTT-4.7.1-3] '+' occupies an entire level
        boolean endsLevel = i == length - 1 || filter.charAt(i + 1) == LEVEL_SEPARATOR;
        if (!startsLevel || !endsLevel) {
          return false;
        }
      }
    }
    return isEncodable(filter);
  }

  /**
   * Reference matcher: tells whether a subscription with {@code filter} receives a message
   * published to {@code topicName}.
   *
   * <p>Levels are compared character by character, without normalisation [MQTT-4.7.3-4].
   * {@code #} matches its parent level and any number of child levels, {@code +} matches exactly
   * one level (possibly empty), and a filter whose first level is a wildcard does not match a
   * topic name starting with {@code $} [MQTT-4.7.2-1]. Invalid arguments never match.
   *
   * @param filter a topic filter, see {@link #isValidTopicFilter(String)}
   * @param topicName a topic name, see {@link #isValidTopicName(String)}
   * @return {@code true} if both are valid and the filter matches the topic name
   * @throws NullPointerException if an argument is {@code null}
   */
  public static boolean matches(String filter, String topicName) {
    Objects.requireNonNull(filter, "filter");
    Objects.requireNonNull(topicName, "topicName");
    if (!isValidTopicFilter(filter) || !isValidTopicName(topicName)) {
      return false;
    }
    return matchesValid(filter, topicName);
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
    // [MQTT-4.7.2-1] leading wildcards do not reach server topics such as $SYS/...
    char firstOfFilter = filter.charAt(0);
    if (topicName.charAt(0) == SERVER_TOPIC_PREFIX
        && (firstOfFilter == MULTI_LEVEL_WILDCARD || firstOfFilter == SINGLE_LEVEL_WILDCARD)) {
      return false;
    }
    // Level starts; a start of length() + 1 means "no level left".
    int filterStart = 0;
    int topicStart = 0;
    while (true) {
      int filterEnd = levelEnd(filter, filterStart);
      if (isWildcardLevel(filter, filterStart, filterEnd, MULTI_LEVEL_WILDCARD)) {
        // [MQTT-4.7.1-2] "sport/#" also matches "sport": zero remaining levels are fine
        return true;
      }
      if (topicStart > topicName.length()) {
        return false;
      }
      int topicEnd = levelEnd(topicName, topicStart);
      // [MQTT-4.7.1-3] '+' matches any single level, including an empty one
      if (!isWildcardLevel(filter, filterStart, filterEnd, SINGLE_LEVEL_WILDCARD)) {
        int levelLength = filterEnd - filterStart;
        if (levelLength != topicEnd - topicStart
            || !filter.regionMatches(filterStart, topicName, topicStart, levelLength)) {
          return false;
        }
      }
      filterStart = filterEnd + 1;
      topicStart = topicEnd + 1;
      if (filterStart > filter.length()) {
        return topicStart > topicName.length();
      }
    }
  }

  /** Index of the separator ending the level that starts at {@code start}, or the length. */
  static int levelEnd(String topic, int start) {
    int separator = topic.indexOf(LEVEL_SEPARATOR, start);
    return separator < 0 ? topic.length() : separator;
  }

  private static boolean isWildcardLevel(String filter, int start, int end, char wildcard) {
    return end - start == 1 && filter.charAt(start) == wildcard;
  }

  /**
   * Checks the UTF-8 string rules shared by names and filters: no U+0000 [MQTT-4.7.3-2]
   * [MQTT-1.5.3-2], well-formed (no unpaired surrogate) [MQTT-1.5.3-1], and at most 65535
   * encoded bytes [MQTT-4.7.3-3].
   */
  private static boolean isEncodable(String text) {
    int length = text.length();
    // Cheap rejection: every char needs at least one byte.
    if (length > MAX_UTF8_BYTES) {
      return false;
    }
    int utf8Bytes = 0;
    for (int i = 0; i < length; i++) {
      char c = text.charAt(i);
      if (c == '\u0000') {
        return false;
      }
      if (c < 0x80) {
        utf8Bytes += 1;
      } else if (c < 0x800) {
        utf8Bytes += 2;
      } else if (Character.isHighSurrogate(c)) {
        if (i + 1 >= length || !Character.isLowSurrogate(text.charAt(i + 1))) {
          return false;
        }
        i++;
        utf8Bytes += 4;
      } else if (Character.isLowSurrogate(c)) {
        return false;
      } else {
        utf8Bytes += 3;
      }
    }
    return utf8Bytes <= MAX_UTF8_BYTES;
  }
}
