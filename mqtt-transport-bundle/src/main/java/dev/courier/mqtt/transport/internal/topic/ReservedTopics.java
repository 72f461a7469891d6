package dev.courier.mqtt.transport.internal.topic;

import dev.courier.mqtt.transport.spi.topic.TopicFilters;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Topic space closed to MQTT clients whatever the topic rules say: the product's own
 * ({@value #COURIER}) and whatever the bridge declares (its stored records, the host's management
 * and notification addresses). Immutable and thread-safe; built once per running transport.
 *
 * <p>Two questions are asked of it: whether a topic name is reserved (asked for every delivery and
 * publication, so it allocates nothing and usually decides on the first character), and whether a
 * subscription filter is confined to reserved topics (then the SUBSCRIBE is refused with 0x80).
 */
public final class ReservedTopics {

  /** Reserved on every bridge: the product's own topic space. */
  public static final String COURIER = "$courier/#";

  private static final ReservedTopics NONE = new ReservedTopics(List.of());

  private final String[] filters;
  /** First characters of the reserved filters; a topic starting otherwise is not reserved. */
  private final String firstChars;
  /** Whether some filter starts with a wildcard, so that the first-character test cannot decide. */
  private final boolean wildcardFirst;

  private ReservedTopics(Collection<String> filters) {
    this.filters = filters.toArray(String[]::new);
    StringBuilder first = new StringBuilder();
    boolean wildcard = false;
    for (String filter : this.filters) {
      char c = filter.charAt(0);
      if (TopicFilters.startsWithWildcard(filter)) {
        wildcard = true;
      } else if (first.indexOf(String.valueOf(c)) < 0) {
        first.append(c);
      }
    }
    this.firstChars = first.toString();
    this.wildcardFirst = wildcard;
  }

  /**
   * The product's reserved space plus a bridge's.
   *
   * @param bridgeFilters topic filters the bridge declares reserved
   * @return the combined set
   * @throws IllegalArgumentException if one of them is not a valid topic filter
   */
  public static ReservedTopics of(Collection<String> bridgeFilters) {
    Set<String> all = new LinkedHashSet<>();
    all.add(COURIER);
    for (String filter : bridgeFilters) {
      if (!TopicFilters.isValidFilter(filter)) {
        throw new IllegalArgumentException("not a valid topic filter: " + filter);
      }
      all.add(filter);
    }
    return new ReservedTopics(all);
  }

  /** Nothing reserved: for tests of the engine alone. */
  public static ReservedTopics none() {
    return NONE;
  }

  /** The reserved filters, for logs and documentation. */
  public List<String> filters() {
    return List.of(filters);
  }

  /**
   * Whether a reserved filter matches this topic name. Allocates nothing.
   *
   * @param topic a valid topic name
   * @return true if no client may publish to it or receive from it
   */
  public boolean isReserved(String topic) {
    if (filters.length == 0 || topic.isEmpty()) {
      return false;
    }
    if (!wildcardFirst && firstChars.indexOf(topic.charAt(0)) < 0) {
      return false;
    }
    for (String filter : filters) {
      if (TopicFilters.matches(filter, topic)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether every topic this subscription filter can match is reserved, so that the subscription
   * could only ever receive internal state. Filters that merely overlap the reserved space (such as
   * {@code #} or {@code +/notifications}) are not confined: they are granted and the reserved topics
   * are kept out of their deliveries.
   *
   * @param filter a valid topic filter
   * @return true if the SUBSCRIBE must be refused for this filter
   */
  public boolean confines(String filter) {
    for (String reserved : filters) {
      // [MQTT-4.7.2-1] included: "+/x" does not confine "$y/x", whose topics it cannot match
      if (TopicFilters.covers(reserved, filter)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return String.join(", ", filters);
  }
}
