package dev.courier.mqtt.transport.spi.topic;

/**
 * The form of a shared subscription's filter, {@code $share/{ShareName}/{filter}} (MQTT 5.0 section
 * 4.8.2): what the client writes in SUBSCRIBE and UNSUBSCRIBE, and how a bridge names the group.
 *
 * <p>[MQTT-4.8.2-1] the ShareName is at least one character; [MQTT-4.8.2-2] it contains no {@code
 * /}, {@code +} or {@code #}; it is followed by {@code /} and a valid topic filter, which may itself
 * start with {@code $} or a wildcard.
 *
 * @since 0.3
 */
public final class SharedSubscriptions {

  /** The prefix that makes a filter shared. */
  public static final String PREFIX = "$share/";

  private SharedSubscriptions() {}

  /**
   * Whether a filter is meant as a shared subscription: it starts with {@value #PREFIX}, or is the
   * bare {@code $share}. Such a filter is either {@linkplain #isValid valid} or malformed; it is
   * never an ordinary filter.
   *
   * @param filter a filter as the client wrote it
   * @return true if it claims the shared form
   */
  public static boolean isShared(String filter) {
    return filter.startsWith(PREFIX) || filter.equals("$share");
  }

  /**
   * Whether a filter is a well-formed shared subscription.
   *
   * @param filter a filter as the client wrote it
   * @return true if it is {@code $share/{ShareName}/{filter}} with a valid ShareName and filter
   */
  public static boolean isValid(String filter) {
    int end = shareNameEnd(filter);
    return end > 0 && TopicFilters.isValidFilter(filter.substring(end + 1));
  }

  /**
   * The ShareName of a well-formed shared filter.
   *
   * @param filter a filter as the client wrote it
   * @return the ShareName, or null if the filter is not a well-formed shared subscription
   */
  public static String shareName(String filter) {
    return isValid(filter) ? filter.substring(PREFIX.length(), shareNameEnd(filter)) : null;
  }

  /**
   * The topic filter of a well-formed shared filter, without {@code $share/{ShareName}/}.
   *
   * @param filter a filter as the client wrote it
   * @return the topic filter, or null if the filter is not a well-formed shared subscription
   */
  public static String topicFilter(String filter) {
    return isValid(filter) ? filter.substring(shareNameEnd(filter) + 1) : null;
  }

  /**
   * The client form of a shared subscription.
   *
   * @param shareName a valid ShareName
   * @param topicFilter a valid topic filter
   * @return {@code $share/{shareName}/{topicFilter}}
   * @throws IllegalArgumentException if either part is invalid
   */
  public static String of(String shareName, String topicFilter) {
    if (!isValidShareName(shareName) || !TopicFilters.isValidFilter(topicFilter)) {
      throw new IllegalArgumentException("not a valid ShareName and topic filter");
    }
    return PREFIX + shareName + TopicFilters.LEVEL_SEPARATOR + topicFilter;
  }

  /**
   * Whether a ShareName is valid: at least one character, none of them {@code /}, {@code +}, {@code
   * #} [MQTT-4.8.2-1] [MQTT-4.8.2-2], and well-formed UTF-16 (no lone surrogate).
   *
   * @param shareName the name
   * @return true if valid
   */
  public static boolean isValidShareName(String shareName) {
    if (shareName == null || shareName.isEmpty()) {
      return false;
    }
    for (int i = 0; i < shareName.length(); i++) {
      char c = shareName.charAt(i);
      if (c == TopicFilters.LEVEL_SEPARATOR || c == TopicFilters.MULTI_LEVEL_WILDCARD
          || c == TopicFilters.SINGLE_LEVEL_WILDCARD || c == '\u0000') {
        return false;
      }
      if (Character.isHighSurrogate(c)) {
        if (i + 1 == shareName.length() || !Character.isLowSurrogate(shareName.charAt(i + 1))) {
          return false;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  /** The index of the '/' after the ShareName, or -1 if the ShareName part is malformed. */
  private static int shareNameEnd(String filter) {
    if (!filter.startsWith(PREFIX)) {
      return -1;
    }
    int end = filter.indexOf(TopicFilters.LEVEL_SEPARATOR, PREFIX.length());
    if (end < 0 || !isValidShareName(filter.substring(PREFIX.length(), end))) {
      return -1;
    }
    return end;
  }
}
