package dev.courier.mqtt.transport.spi.topic;

import java.util.ArrayList;
import java.util.List;

/**
 * The MQTT topic rules (MQTT 3.1.1 and 5.0, section 4.7) in one place: which strings are valid topic
 * names and topic filters, whether a filter matches a topic name, whether one filter covers another
 * (every topic the second matches, the first matches too) and whether two filters overlap (some
 * topic matches both). The transport, the authorizer and the bridges all decide with these.
 *
 * <p>Every method is a pure function of its arguments, safe from any thread, and allocates nothing
 * except {@link #levels(String)}. {@link #matches}, {@link #covers} and {@link #overlaps} take
 * arguments already known to be valid (check them once with {@link #isValidTopicName} and {@link
 * #isValidFilter}, where they enter); for invalid arguments their answer is unspecified, but they
 * never throw except {@link NullPointerException} for {@code null}.
 *
 * <p>All three honour the server-topic rule [MQTT-4.7.2-1]: a filter whose first level is {@code +}
 * or {@code #} does not match a topic name that begins with {@code $}.
 *
 * @since 0.2.0 (of {@code spi.topic})
 */
public final class TopicFilters {

  /** Separates topic levels [MQTT-4.7.1-1]. */
  public static final char LEVEL_SEPARATOR = '/';
  /** Matches any number of levels, including the parent level [MQTT-4.7.1-2]. */
  public static final char MULTI_LEVEL_WILDCARD = '#';
  /** Matches exactly one level, possibly empty [MQTT-4.7.1-3]. */
  public static final char SINGLE_LEVEL_WILDCARD = '+';
  /** Topic names starting with this character are hidden from leading wildcards [MQTT-4.7.2-1]. */
  public static final char SERVER_TOPIC_PREFIX = '$';
  /** Longest UTF-8 encoding of a topic name or filter, in bytes [MQTT-4.7.3-3]. */
  public static final int MAX_UTF8_BYTES = 65_535;

  private TopicFilters() {
  }

  /**
   * Tells whether {@code name} may be the topic name of a PUBLISH packet: at least one character
   * [MQTT-4.7.3-1], no wildcard character [MQTT-3.3.2-2], no U+0000 [MQTT-4.7.3-2], no unpaired
   * surrogate [MQTT-1.5.3-1], and at most {@value #MAX_UTF8_BYTES} bytes in UTF-8 [MQTT-4.7.3-3].
   * Empty levels (as in {@code "a//b"}, {@code "/a"} or {@code "a/"}) are valid.
   *
   * @param name the candidate, may be {@code null} (then invalid)
   * @return {@code true} if it is a valid topic name
   */
  public static boolean isValidTopicName(String name) {
    if (name == null || name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == MULTI_LEVEL_WILDCARD || c == SINGLE_LEVEL_WILDCARD) {
        return false;
      }
    }
    return isEncodable(name);
  }

  /**
   * Tells whether {@code filter} may be a topic filter of SUBSCRIBE or UNSUBSCRIBE: the string rules
   * of {@link #isValidTopicName} (without the wildcard one), {@code #} only as the whole last level
   * [MQTT-4.7.1-2], and {@code +} only as a whole level [MQTT-4.7.1-3].
   *
   * @param filter the candidate, may be {@code null} (then invalid)
   * @return {@code true} if it is a valid topic filter
   */
  public static boolean isValidFilter(String filter) {
    if (filter == null || filter.isEmpty()) {
      return false;
    }
    int last = filter.length() - 1;
    for (int i = 0; i <= last; i++) {
      char c = filter.charAt(i);
      if (c != MULTI_LEVEL_WILDCARD && c != SINGLE_LEVEL_WILDCARD) {
        continue;
      }
      boolean startsLevel = i == 0 || filter.charAt(i - 1) == LEVEL_SEPARATOR;
      boolean endsLevel = i == last || filter.charAt(i + 1) == LEVEL_SEPARATOR;
      if (!startsLevel || !endsLevel || c == MULTI_LEVEL_WILDCARD && i != last) {
        return false;
      }
    }
    return isEncodable(filter);
  }

  /**
   * Tells whether the first level of a filter is a wildcard, so that [MQTT-4.7.2-1] keeps it away
   * from topic names starting with {@code $}.
   *
   * @param filter a valid topic filter
   * @return {@code true} if it starts with {@code +} or {@code #}
   */
  public static boolean startsWithWildcard(String filter) {
    if (filter.isEmpty()) {
      return false;
    }
    char first = filter.charAt(0);
    return first == MULTI_LEVEL_WILDCARD || first == SINGLE_LEVEL_WILDCARD;
  }

  /**
   * Tells whether a subscription on {@code filter} receives a publication on {@code topic}. Levels
   * compare character by character, without normalisation [MQTT-4.7.3-4]; {@code +} matches one
   * level, possibly empty; {@code #} matches its parent level and any number of levels below.
   *
   * @param filter a valid topic filter
   * @param topic a valid topic name
   * @return {@code true} if the filter matches the topic
   */
  public static boolean matches(String filter, String topic) {
    if (filter.isEmpty() || topic.isEmpty()
        || topic.charAt(0) == SERVER_TOPIC_PREFIX && startsWithWildcard(filter)) {
      return false; // [MQTT-4.7.2-1]
    }
    // Level starts; a start beyond the length means "no level left".
    int f = 0;
    int t = 0;
    while (true) {
      int filterEnd = levelEnd(filter, f);
      if (isLevel(filter, f, filterEnd, MULTI_LEVEL_WILDCARD)) {
        return true; // [MQTT-4.7.1-2] also zero remaining levels: "a/#" matches "a"
      }
      if (t > topic.length()) {
        return false;
      }
      int topicEnd = levelEnd(topic, t);
      if (!isLevel(filter, f, filterEnd, SINGLE_LEVEL_WILDCARD)
          && !sameLevel(filter, f, filterEnd, topic, t, topicEnd)) {
        return false;
      }
      f = filterEnd + 1;
      t = topicEnd + 1;
      if (f > filter.length()) {
        return t > topic.length();
      }
    }
  }

  /**
   * Tells whether {@code outer} covers {@code inner}: every topic name {@code inner} matches,
   * {@code outer} matches too (authorization grants a subscription this way). A topic name, as a
   * filter without wildcards, is covered exactly when {@code outer} matches it.
   *
   * <p>Conservative, which is the safe side for granting: a {@code #} in {@code inner} is covered
   * only by a {@code #} at the same level. So {@code +/#} does not cover {@code #} although both
   * match every topic not starting with {@code $}, and {@code /+/#} does not cover {@code /#},
   * whose {@code #} would match its parent, the empty string (which is no topic name).
   *
   * @param outer a valid topic filter, the wider one
   * @param inner a valid topic filter
   * @return {@code true} if whatever {@code inner} matches, {@code outer} matches
   */
  public static boolean covers(String outer, String inner) {
    if (outer.isEmpty() || inner.isEmpty()
        || inner.charAt(0) == SERVER_TOPIC_PREFIX && startsWithWildcard(outer)) {
      return false; // [MQTT-4.7.2-1] outer cannot match the $ topics inner names
    }
    int o = 0;
    int n = 0;
    while (true) {
      int outerEnd = levelEnd(outer, o);
      if (isLevel(outer, o, outerEnd, MULTI_LEVEL_WILDCARD)) {
        return true;
      }
      if (n > inner.length()) {
        return false; // inner matches a shorter topic than outer can
      }
      int innerEnd = levelEnd(inner, n);
      // '#' in inner is covered only by '#'; '+' only by '+' (no literal level equals "+")
      if (isLevel(inner, n, innerEnd, MULTI_LEVEL_WILDCARD)
          || !isLevel(outer, o, outerEnd, SINGLE_LEVEL_WILDCARD)
          && !sameLevel(outer, o, outerEnd, inner, n, innerEnd)) {
        return false;
      }
      o = outerEnd + 1;
      n = innerEnd + 1;
      if (o > outer.length()) {
        return n > inner.length();
      }
    }
  }

  /**
   * Tells whether some topic name is matched by both filters. Symmetric; a topic name, as a filter
   * without wildcards, overlaps a filter exactly when the filter matches it.
   *
   * <p>Conservative, which is the safe side for refusing: filters that meet only on the empty
   * string, which is no topic name, overlap too ({@code +} and {@code /#}).
   *
   * @param a a valid topic filter
   * @param b a valid topic filter
   * @return {@code true} if a publication could reach subscriptions on both
   */
  public static boolean overlaps(String a, String b) {
    if (a.isEmpty() || b.isEmpty()
        || startsWithWildcard(a) && b.charAt(0) == SERVER_TOPIC_PREFIX
        || startsWithWildcard(b) && a.charAt(0) == SERVER_TOPIC_PREFIX) {
      return false; // [MQTT-4.7.2-1] a leading wildcard never meets a leading '$'
    }
    int i = 0;
    int j = 0;
    while (i <= a.length() && j <= b.length()) {
      int aEnd = levelEnd(a, i);
      int bEnd = levelEnd(b, j);
      if (isLevel(a, i, aEnd, MULTI_LEVEL_WILDCARD) || isLevel(b, j, bEnd, MULTI_LEVEL_WILDCARD)) {
        return true;
      }
      if (!isLevel(a, i, aEnd, SINGLE_LEVEL_WILDCARD) && !isLevel(b, j, bEnd, SINGLE_LEVEL_WILDCARD)
          && !sameLevel(a, i, aEnd, b, j, bEnd)) {
        return false;
      }
      i = aEnd + 1;
      j = bEnd + 1;
    }
    if (i > a.length() && j > b.length()) {
      return true;
    }
    // One has a level left: they meet only if it is a final '#', which matches its parent too.
    return i > a.length() ? isLastLevelHash(b, j) : isLastLevelHash(a, i);
  }

  /**
   * Cuts a topic name or filter into its levels, keeping empty ones: {@code "/a/"} has three.
   *
   * @param topicOrFilter a topic name or filter
   * @return its levels, in order; an unmodifiable list
   */
  public static List<String> levels(String topicOrFilter) {
    List<String> levels = new ArrayList<>();
    int start = 0;
    while (start <= topicOrFilter.length()) {
      int end = levelEnd(topicOrFilter, start);
      levels.add(topicOrFilter.substring(start, end));
      start = end + 1;
    }
    return List.copyOf(levels);
  }

  /** Index of the separator ending the level that starts at {@code start}, or the length. */
  static int levelEnd(String topic, int start) {
    int separator = topic.indexOf(LEVEL_SEPARATOR, start);
    return separator < 0 ? topic.length() : separator;
  }

  private static boolean isLevel(String filter, int start, int end, char wildcard) {
    return end - start == 1 && filter.charAt(start) == wildcard;
  }

  private static boolean isLastLevelHash(String filter, int start) {
    return start == filter.length() - 1 && filter.charAt(start) == MULTI_LEVEL_WILDCARD;
  }

  private static boolean sameLevel(String x, int xStart, int xEnd, String y, int yStart,
      int yEnd) {
    int length = xEnd - xStart;
    return length == yEnd - yStart && x.regionMatches(xStart, y, yStart, length);
  }

  /**
   * The UTF-8 rules shared by names and filters: no U+0000 [MQTT-4.7.3-2] [MQTT-1.5.3-2], no
   * unpaired surrogate [MQTT-1.5.3-1], at most {@value #MAX_UTF8_BYTES} bytes [MQTT-4.7.3-3].
   */
  private static boolean isEncodable(String text) {
    int length = text.length();
    if (length > MAX_UTF8_BYTES) {
      return false; // every char needs at least one byte
    }
    int bytes = 0;
    for (int i = 0; i < length; i++) {
      char c = text.charAt(i);
      if (c == '\u0000' || Character.isLowSurrogate(c)) {
        return false; // a low surrogate here has no high one before it
      }
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= length || !Character.isLowSurrogate(text.charAt(i + 1))) {
          return false;
        }
        i++;
        bytes += 4;
      } else {
        bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
      }
    }
    return bytes <= MAX_UTF8_BYTES;
  }
}
