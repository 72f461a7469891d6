package dev.courier.mqtt.auth.internal.acl;

/**
 * MQTT topic-filter algebra over {@code /}-separated levels: does a filter match a topic name, does
 * one filter cover another (every topic the second matches, the first matches too), do two filters
 * overlap (some topic matches both). The transport's own matcher is internal to its bundle, so the
 * authorizer carries this small one.
 *
 * <p>All three honour the {@code $} rule [MQTT-4.7.2-1]: a filter whose first level is {@code +} or
 * {@code #} does not match a topic name beginning with {@code $}. Arguments are assumed to be
 * syntactically valid (the transport validates what clients send, {@link RuleParser} what operators
 * write). Stateless; safe from any thread.
 */
public final class TopicFilters {

  private static final String MULTI = "#";
  private static final String SINGLE = "+";

  private TopicFilters() {}

  /**
   * Whether a topic filter matches a topic name.
   *
   * @param filter a valid topic filter, possibly with wildcards
   * @param topic a valid topic name (no wildcards)
   * @return true if a subscription on {@code filter} would receive a publication on {@code topic}
   */
  public static boolean matches(String filter, String topic) {
    String[] f = levels(filter);
    String[] t = levels(topic);
    if (topic.startsWith("$") && isWildcard(f[0])) {
      return false; // [MQTT-4.7.2-1]
    }
    for (int i = 0; i < f.length; i++) {
      if (f[i].equals(MULTI)) {
        return true; // [MQTT-4.7.1-2] '#' also matches the parent level
      }
      if (i >= t.length) {
        return false;
      }
      if (!f[i].equals(SINGLE) && !f[i].equals(t[i])) {
        return false;
      }
    }
    return f.length == t.length;
  }

  /**
   * Whether {@code outer} covers {@code inner}: every topic name matched by {@code inner} is also
   * matched by {@code outer}. A {@code #} in {@code inner} is covered only by {@code #} at the same
   * level, a {@code +} only by {@code +} or {@code #}.
   *
   * @param outer the wider filter (for example an allow rule's)
   * @param inner the filter a client asks for
   * @return true if {@code inner} is a subset of {@code outer}
   */
  public static boolean covers(String outer, String inner) {
    String[] o = levels(outer);
    String[] n = levels(inner);
    if (n[0].startsWith("$") && isWildcard(o[0])) {
      return false; // [MQTT-4.7.2-1]: outer cannot match the $ topics inner names
    }
    for (int i = 0; i < o.length; i++) {
      if (o[i].equals(MULTI)) {
        return true;
      }
      if (i >= n.length) {
        return false;
      }
      if (n[i].equals(MULTI)) {
        return false;
      }
      if (n[i].equals(SINGLE) ? !o[i].equals(SINGLE) : !o[i].equals(SINGLE) && !o[i].equals(n[i])) {
        return false;
      }
    }
    return o.length == n.length;
  }

  /**
   * Whether some topic name is matched by both filters.
   *
   * @param a one filter
   * @param b another filter
   * @return true if the filters overlap
   */
  public static boolean overlaps(String a, String b) {
    String[] x = levels(a);
    String[] y = levels(b);
    // [MQTT-4.7.2-1]: a leading wildcard never meets a leading literal '$' level.
    if (isWildcard(x[0]) && y[0].startsWith("$") || isWildcard(y[0]) && x[0].startsWith("$")) {
      return false;
    }
    int common = Math.min(x.length, y.length);
    for (int i = 0; i < common; i++) {
      if (x[i].equals(MULTI) || y[i].equals(MULTI)) {
        return true;
      }
      if (!x[i].equals(SINGLE) && !y[i].equals(SINGLE) && !x[i].equals(y[i])) {
        return false;
      }
    }
    if (x.length == y.length) {
      return true;
    }
    // One is longer: they meet only if its next level is '#', which also matches the parent.
    String[] longer = x.length > y.length ? x : y;
    return longer.length == common + 1 && longer[common].equals(MULTI);
  }

  /** Whether a level (or a whole filter) is a wildcard. */
  static boolean isWildcard(String level) {
    return level.equals(MULTI) || level.equals(SINGLE);
  }

  /** Splits into levels, keeping empty ones ({@code /a/} has three). */
  static String[] levels(String filterOrTopic) {
    return filterOrTopic.split("/", -1);
  }
}
