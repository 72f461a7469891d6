package dev.courier.mqtt.transport.spi.topic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.internal.topic.RandomTopics;
import dev.courier.mqtt.transport.internal.topic.TopicSyntax;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The retained index must agree with the reference matcher {@link TopicSyntax#matches}. */
class RetainedIndexMatchPropertyTest {

  private static final long SEED = 0x52455441L;
  private static final int TOPICS = 400;
  private static final int FILTERS = 5_000;

  @Test
  void whenRandomTopicsAndFilters_thenIndexMatchEqualsReferenceMatcher() {
    RandomTopics random = new RandomTopics(SEED);
    RetainedIndex<String> index = new RetainedIndex<>();
    Set<String> topics = new HashSet<>();
    for (int i = 0; i < TOPICS; i++) {
      String topic = random.topicName();
      // The value is the topic name, so that a visit tells which topic it came from.
      index.put(topic, topic);
      topics.add(topic);
    }
    // Remove some, so that pruned branches take part too.
    List<String> removed = new ArrayList<>();
    for (String topic : topics) {
      if (random.index(4) == 0) {
        removed.add(topic);
      }
    }
    removed.forEach(index::remove);
    removed.forEach(topics::remove);
    assertThat(index.size()).isEqualTo(topics.size());

    int nonEmptyMatches = 0;
    for (int i = 0; i < FILTERS; i++) {
      String filter = random.topicFilter();
      List<String> expected = topics.stream().filter(t -> TopicSyntax.matches(filter, t)).toList();
      List<String> actual = new ArrayList<>();
      index.match(filter, actual::add);

      assertThat(actual).as("retained topics matching filter '%s'", filter)
          .containsExactlyInAnyOrderElementsOf(expected);
      if (!expected.isEmpty()) {
        nonEmptyMatches++;
      }
    }
    // Guards the generator: the comparison is meaningless if nothing ever matches.
    assertThat(nonEmptyMatches).isGreaterThan(FILTERS / 2);
  }
}
