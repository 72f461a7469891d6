package dev.courier.mqtt.transport.internal.topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SubscriptionTrieTest {

  private final SubscriptionTrie<String, String> trie = new SubscriptionTrie<>();

  /** Values are "filter@key" so that a visit tells which entry it came from. */
  private boolean subscribe(String filter, String key) {
    return trie.put(filter, key, filter + "@" + key);
  }

  private List<String> matchedValues(String topic) {
    List<String> visited = new ArrayList<>();
    trie.match(topic, (key, value) -> visited.add(value));
    return visited;
  }

  @Test
  void whenNewTrie_thenEmptyAndNothingMatches() {
    assertThat(trie.size()).isZero();
    assertThat(trie.isEmpty()).isTrue();
    assertThat(matchedValues("a/b")).isEmpty();
    assertThat(trie.nodeCount()).isZero();
  }

  @Test
  void whenPutNewEntry_thenTrueAndSizeGrows() {
    assertThat(subscribe("a/b", "s1")).isTrue();
    assertThat(subscribe("a/b", "s2")).isTrue();
    assertThat(subscribe("a/+", "s1")).isTrue();

    assertThat(trie.size()).isEqualTo(3);
    assertThat(trie.isEmpty()).isFalse();
  }

  @Test
  void whenPutSameFilterAndKey_thenValueReplacedAndSizeUnchanged() {
    trie.put("a/b", "s1", "qos0");

    assertThat(trie.put("a/b", "s1", "qos2")).isFalse();

    assertThat(trie.size()).isEqualTo(1);
    List<String> visited = new ArrayList<>();
    trie.match("a/b", (key, value) -> visited.add(key + "=" + value));
    assertThat(visited).containsExactly("s1=qos2");
  }

  @Test
  void whenRemoveExisting_thenPreviousValueReturnedAndNoLongerMatched() {
    subscribe("a/b", "s1");
    subscribe("a/b", "s2");

    assertThat(trie.remove("a/b", "s1")).isEqualTo("a/b@s1");

    assertThat(trie.size()).isEqualTo(1);
    assertThat(matchedValues("a/b")).containsExactly("a/b@s2");
  }

  @Test
  void whenRemoveUnknown_thenNullAndNothingChanges() {
    subscribe("a/b", "s1");

    assertThat(trie.remove("a/b", "s2")).isNull();
    assertThat(trie.remove("a/c", "s1")).isNull();
    assertThat(trie.remove("a", "s1")).isNull();
    assertThat(trie.remove("a/b/c", "s1")).isNull();

    assertThat(trie.size()).isEqualTo(1);
    assertThat(trie.nodeCount()).isEqualTo(2);
  }

  @Test
  void whenLastEntryOfBranchRemoved_thenEmptyNodesArePruned() {
    subscribe("a/b/c/d", "s1");
    subscribe("a/x", "s1");
    assertThat(trie.nodeCount()).isEqualTo(5);

    trie.remove("a/b/c/d", "s1");

    // "b", "c" and "d" are gone; "a" stays because "a/x" still needs it
    assertThat(trie.nodeCount()).isEqualTo(2);
    trie.remove("a/x", "s1");
    assertThat(trie.nodeCount()).isZero();
    assertThat(trie.isEmpty()).isTrue();
  }

  @Test
  void whenInnerNodeStillHasEntries_thenItIsNotPruned() {
    subscribe("a/b", "s1");
    subscribe("a/b/c", "s1");

    trie.remove("a/b/c", "s1");

    assertThat(trie.nodeCount()).isEqualTo(2);
    assertThat(matchedValues("a/b")).containsExactly("a/b@s1");
  }

  @Test
  void whenPrunedPathIsSubscribedAgain_thenItMatchesAgain() {
    subscribe("a/b/c", "s1");
    trie.remove("a/b/c", "s1");

    subscribe("a/b/c", "s1");

    assertThat(matchedValues("a/b/c")).containsExactly("a/b/c@s1");
  }

  @Test
  void whenOneKeyHasOverlappingFilters_thenItIsVisitedOncePerMatchingFilter() {
    subscribe("sport/tennis/player1", "s1");
    subscribe("sport/tennis/+", "s1");
    subscribe("sport/#", "s1");
    subscribe("#", "s1");
    subscribe("sport/tennis/player2", "s1");
    subscribe("sport/+", "s1");

    assertThat(matchedValues("sport/tennis/player1")).containsExactlyInAnyOrder(
        "sport/tennis/player1@s1", "sport/tennis/+@s1", "sport/#@s1", "#@s1");
  }

  @Test
  void whenSpecExamplesSubscribed_thenMatchFollowsSection47() {
    for (String filter : List.of("sport/tennis/player1/#", "sport/#", "sport/tennis/+", "sport/+",
        "+", "+/+", "/+", "#", "$SYS/#", "+/monitor/Clients", "$SYS/monitor/+")) {
      subscribe(filter, "s");
    }

    assertThat(matchedValues("sport/tennis/player1")).containsExactlyInAnyOrder(
        "sport/tennis/player1/#@s", "sport/#@s", "sport/tennis/+@s", "#@s");
    assertThat(matchedValues("sport/tennis/player1/score/wimbledon")).containsExactlyInAnyOrder(
        "sport/tennis/player1/#@s", "sport/#@s", "#@s");
    assertThat(matchedValues("sport")).containsExactlyInAnyOrder("sport/#@s", "+@s", "#@s");
    assertThat(matchedValues("sport/"))
        .containsExactlyInAnyOrder("sport/#@s", "sport/+@s", "+/+@s", "#@s");
    assertThat(matchedValues("/finance")).containsExactlyInAnyOrder("+/+@s", "/+@s", "#@s");
    // [MQTT-4.7.2-1] no leading wildcard reaches $SYS
    assertThat(matchedValues("$SYS/monitor/Clients")).containsExactlyInAnyOrder(
        "$SYS/#@s", "$SYS/monitor/+@s");
    assertThat(matchedValues("$SYS")).containsExactly("$SYS/#@s");
    assertThat(matchedValues("SYS/monitor/Clients"))
        .containsExactlyInAnyOrder("+/monitor/Clients@s", "#@s");
  }

  @Test
  void whenFilterIsInvalid_thenPutRejectsIt() {
    assertThatIllegalArgumentException().isThrownBy(() -> subscribe("sport/tennis#", "s"));
    assertThatIllegalArgumentException().isThrownBy(() -> subscribe("sport/tennis/#/ranking", "s"));
    assertThatIllegalArgumentException().isThrownBy(() -> subscribe("sport+", "s"));
    assertThatIllegalArgumentException().isThrownBy(() -> subscribe("", "s"));
    assertThatNullPointerException().isThrownBy(() -> trie.put("a", null, "v"));
    assertThatNullPointerException().isThrownBy(() -> trie.put("a", "k", null));
    assertThat(trie.isEmpty()).isTrue();
  }

  @Test
  void whenManyUnrelatedFilters_thenMatchVisitsOnlyMatchingEntries() {
    for (int i = 0; i < 100_000; i++) {
      trie.put("devices/" + i + "/state", "s" + i, "v" + i);
    }
    trie.put("devices/+/state", "watcher", "wildcard");
    trie.put("devices/#", "auditor", "all");
    AtomicInteger visits = new AtomicInteger();
    List<String> visited = new ArrayList<>();

    trie.match("devices/42/state", (key, value) -> {
      visits.incrementAndGet();
      visited.add(value);
    });

    // Exactly the three matching entries out of 100 002, found without a scan
    assertThat(visits).hasValue(3);
    assertThat(visited).containsExactlyInAnyOrder("v42", "wildcard", "all");
  }

  @Test
  void whenTopicIsVeryDeep_thenMatchDoesNotOverflowTheStack() {
    String deep = "/".repeat(60_000);
    subscribe(deep, "s1");
    subscribe("#", "s2");

    assertThat(matchedValues(deep)).containsExactlyInAnyOrder(deep + "@s1", "#@s2");
    assertThat(trie.remove(deep, "s1")).isNotNull();
    assertThat(trie.nodeCount()).isEqualTo(1);
  }
}
