package dev.courier.mqtt.transport.internal.topic;

import java.util.List;
import java.util.Random;

/**
 * Produces random topic names and filters from a small alphabet of levels, so that random pairs
 * match often enough to be interesting. Deterministic for a given seed.
 */
public final class RandomTopics {

  /** Includes the empty level and server-topic levels to exercise [MQTT-4.7.2-1]. */
  private static final List<String> LEVELS = List.of("a", "b", "c", "", "$SYS", "$x", "a$");
  private static final int MAX_LEVELS = 4;

  private final Random random;

  /**
   * Creates a generator.
   *
   * @param seed fixed seed, so that a failure reproduces
   */
  public RandomTopics(long seed) {
    this.random = new Random(seed);
  }

  /**
   * Returns a random valid topic name of a few levels, some of them empty.
   *
   * @return a topic name
   */
  public String topicName() {
    String name = levels(false);
    // A single empty level would be the empty string, which is no topic [MQTT-4.7.3-1].
    return name.isEmpty() ? levels(false) + "/" : name;
  }

  /**
   * Returns a random valid topic filter of a few levels: plain levels, {@code +}, and
   * sometimes a final {@code #}.
   *
   * @return a topic filter
   */
  public String topicFilter() {
    String filter = levels(true);
    return filter.isEmpty() ? "/" + levels(true) : filter;
  }

  private String levels(boolean withWildcards) {
    int levels = 1 + random.nextInt(MAX_LEVELS);
    StringBuilder topic = new StringBuilder();
    for (int i = 0; i < levels; i++) {
      if (i > 0) {
        topic.append('/');
      }
      int pick = withWildcards ? random.nextInt(10) : 9;
      if (pick == 0 && i == levels - 1) {
        topic.append('#');
      } else if (pick <= 2) {
        topic.append('+');
      } else {
        topic.append(LEVELS.get(random.nextInt(LEVELS.size())));
      }
    }
    return topic.toString();
  }

  /**
   * Returns a random index below {@code bound}.
   *
   * @param bound exclusive upper bound
   * @return an index
   */
  public int index(int bound) {
    return random.nextInt(bound);
  }
}
