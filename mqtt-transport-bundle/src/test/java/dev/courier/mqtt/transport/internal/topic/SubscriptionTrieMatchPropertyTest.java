package dev.courier.mqtt.transport.internal.topic;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The trie must agree with the reference matcher {@link TopicSyntax#matches} on random input. */
class SubscriptionTrieMatchPropertyTest {

  private static final long SEED = 0x4D515454L;
  private static final int FILTERS = 400;
  private static final int TOPICS = 5_000;
  private static final List<String> KEYS = List.of("s1", "s2", "s3");

  @Test
  void whenRandomFiltersAndTopics_thenTrieMatchEqualsReferenceMatcher() {
    RandomTopics random = new RandomTopics(SEED);
    SubscriptionTrie<String, String> trie = new SubscriptionTrie<>();
    Set<String> entries = new HashSet<>();
    for (int i = 0; i < FILTERS; i++) {
      String filter = random.topicFilter();
      String key = KEYS.get(random.index(KEYS.size()));
      // Values are "filter@key" so that a visit tells which entry it came from.
      trie.put(filter, key, filter + "@" + key);
      entries.add(filter + "@" + key);
    }
    assertThat(trie.size()).isEqualTo(entries.size());

    int nonEmptyMatches = 0;
    for (int i = 0; i < TOPICS; i++) {
      String topic = random.topicName();
      List<String> expected = new ArrayList<>();
      for (String entry : entries) {
        String filter = entry.substring(0, entry.lastIndexOf('@'));
        if (TopicSyntax.matches(filter, topic)) {
          expected.add(entry);
        }
      }
      List<String> actual = new ArrayList<>();
      trie.match(topic, (key, value) -> actual.add(value));

      assertThat(actual).as("entries matching topic '%s'", topic)
          .containsExactlyInAnyOrderElementsOf(expected);
      if (!expected.isEmpty()) {
        nonEmptyMatches++;
      }
    }
    // Guards the generator: the comparison is meaningless if nothing ever matches.
    assertThat(nonEmptyMatches).isGreaterThan(TOPICS / 2);
  }

  @Test
  void whenRandomEntriesRemoved_thenTrieStillEqualsReferenceAndPrunesFully() {
    RandomTopics random = new RandomTopics(SEED + 1);
    SubscriptionTrie<String, String> trie = new SubscriptionTrie<>();
    List<String> filters = new ArrayList<>();
    for (int i = 0; i < FILTERS; i++) {
      String filter = random.topicFilter();
      trie.put(filter, "s", filter);
      filters.add(filter);
    }
    Set<String> remaining = new HashSet<>(filters);
    for (int i = 0; i < filters.size(); i += 2) {
      trie.remove(filters.get(i), "s");
      remaining.remove(filters.get(i));
    }
    assertThat(trie.size()).isEqualTo(remaining.size());

    for (int i = 0; i < TOPICS; i++) {
      String topic = random.topicName();
      List<String> expected =
          remaining.stream().filter(filter -> TopicSyntax.matches(filter, topic)).toList();
      List<String> actual = new ArrayList<>();
      trie.match(topic, (key, value) -> actual.add(value));
      assertThat(actual).as("filters matching topic '%s'", topic)
          .containsExactlyInAnyOrderElementsOf(expected);
    }

    filters.forEach(filter -> trie.remove(filter, "s"));
    assertThat(trie.isEmpty()).isTrue();
    assertThat(trie.nodeCount()).isZero();
  }
}
