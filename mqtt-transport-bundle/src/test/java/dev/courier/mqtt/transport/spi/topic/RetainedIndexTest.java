package dev.courier.mqtt.transport.spi.topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RetainedIndexTest {

  private final RetainedIndex<String> index = new RetainedIndex<>();

  /** Retains a value equal to the topic name, so that a visit tells which topic it came from. */
  private void retain(String... topics) {
    for (String topic : topics) {
      index.put(topic, topic);
    }
  }

  private List<String> matched(String filter) {
    List<String> visited = new ArrayList<>();
    index.match(filter, visited::add);
    return visited;
  }

  @Test
  void whenNewIndex_thenEmpty() {
    assertThat(index.size()).isZero();
    assertThat(index.get("a")).isNull();
    assertThat(matched("#")).isEmpty();
    assertThat(index.nodeCount()).isZero();
  }

  @Test
  void whenPutTwiceOnOneTopic_thenSecondReplacesFirst() {
    assertThat(index.put("a/b", "m1")).isNull();
    assertThat(index.put("a/b", "m2")).isEqualTo("m1");

    assertThat(index.size()).isEqualTo(1);
    assertThat(index.get("a/b")).isEqualTo("m2");
    assertThat(matched("a/b")).containsExactly("m2");
  }

  @Test
  void whenGetOnInnerOrMissingTopic_thenNull() {
    retain("a/b/c");

    assertThat(index.get("a/b")).isNull();
    assertThat(index.get("a/b/c/d")).isNull();
    assertThat(index.get("x")).isNull();
    assertThat(index.get("a/b/c")).isEqualTo("a/b/c");
  }

  @Test
  void whenRemove_thenPreviousReturnedAndEmptyNodesPruned() {
    retain("a/b/c/d", "a/x");
    assertThat(index.nodeCount()).isEqualTo(5);

    assertThat(index.remove("a/b/c/d")).isEqualTo("a/b/c/d");

    assertThat(index.size()).isEqualTo(1);
    assertThat(index.nodeCount()).isEqualTo(2);
    assertThat(index.remove("a/x")).isEqualTo("a/x");
    assertThat(index.nodeCount()).isZero();
  }

  @Test
  void whenRemoveInnerOrUnknownTopic_thenNullAndNothingChanges() {
    retain("a/b/c");

    assertThat(index.remove("a/b")).isNull();
    assertThat(index.remove("a/b/c/d")).isNull();
    assertThat(index.remove("q")).isNull();

    assertThat(index.size()).isEqualTo(1);
    assertThat(index.nodeCount()).isEqualTo(3);
  }

  @Test
  void whenInnerTopicStillRetained_thenItIsNotPruned() {
    retain("a/b", "a/b/c");

    index.remove("a/b/c");

    assertThat(index.nodeCount()).isEqualTo(2);
    assertThat(matched("a/#")).containsExactly("a/b");
  }

  @Test
  void whenFilterEndsWithHash_thenParentTopicIsIncluded() {
    retain("sport", "sport/tennis", "sport/tennis/player1/ranking", "sports", "news");

    // [MQTT-4.7.1-2]
    assertThat(matched("sport/#")).containsExactlyInAnyOrder(
        "sport", "sport/tennis", "sport/tennis/player1/ranking");
  }

  @Test
  void whenSpecExamplesRetained_thenMatchFollowsSection47() {
    retain("sport", "sport/", "sport/tennis/player1", "sport/tennis/player2",
        "sport/tennis/player1/ranking", "sport/tennis/player1/score/wimbledon", "/finance",
        "finance", "$SYS/monitor/Clients", "SYS/monitor/Clients");

    assertThat(matched("sport/tennis/player1/#")).containsExactlyInAnyOrder("sport/tennis/player1",
        "sport/tennis/player1/ranking", "sport/tennis/player1/score/wimbledon");
    assertThat(matched("sport/tennis/+")).containsExactlyInAnyOrder(
        "sport/tennis/player1", "sport/tennis/player2");
    assertThat(matched("sport/+")).containsExactly("sport/");
    assertThat(matched("+")).containsExactlyInAnyOrder("sport", "finance");
    assertThat(matched("+/+")).containsExactlyInAnyOrder("sport/", "/finance");
    assertThat(matched("/+")).containsExactly("/finance");
    // [MQTT-4.7.2-1] leading wildcards never return $SYS topics; "$SYS/#" does
    assertThat(matched("#")).hasSize(9).doesNotContain("$SYS/monitor/Clients");
    assertThat(matched("+/monitor/Clients")).containsExactly("SYS/monitor/Clients");
    assertThat(matched("$SYS/#")).containsExactly("$SYS/monitor/Clients");
    assertThat(matched("$SYS/monitor/+")).containsExactly("$SYS/monitor/Clients");
  }

  @Test
  void whenDollarIsNotInFirstLevel_thenWildcardsStillReachIt() {
    retain("a/$b", "a/$b/c");

    assertThat(matched("a/+")).containsExactly("a/$b");
    assertThat(matched("#")).containsExactlyInAnyOrder("a/$b", "a/$b/c");
  }

  @Test
  void whenTopicNameIsInvalid_thenPutRejectsIt() {
    assertThatIllegalArgumentException().isThrownBy(() -> index.put("", "m"));
    assertThatIllegalArgumentException().isThrownBy(() -> index.put("a/#", "m"));
    assertThatIllegalArgumentException().isThrownBy(() -> index.put("a/+/b", "m"));
    assertThatNullPointerException().isThrownBy(() -> index.put("a", null));
    assertThatNullPointerException().isThrownBy(() -> index.put(null, "m"));
    assertThat(index.size()).isZero();
  }

  @Test
  void whenManyUnrelatedRetainedTopics_thenMatchVisitsOnlyMatchingOnes() {
    for (int i = 0; i < 100_000; i++) {
      index.put("devices/" + i + "/state", "v" + i);
    }
    index.put("devices/42/state/battery", "battery");
    AtomicInteger visits = new AtomicInteger();
    List<String> visited = new ArrayList<>();

    index.match("devices/42/#", value -> {
      visits.incrementAndGet();
      visited.add(value);
    });

    assertThat(visits).hasValue(2);
    assertThat(visited).containsExactlyInAnyOrder("v42", "battery");
    assertThat(index.size()).isEqualTo(100_001);
  }

  @Test
  void whenFilterIsVeryDeep_thenMatchDoesNotOverflowTheStack() {
    String deep = "/".repeat(60_000);
    retain(deep);

    assertThat(matched(deep)).containsExactly(deep);
    assertThat(matched("#")).containsExactly(deep);
    assertThat(index.remove(deep)).isEqualTo(deep);
    assertThat(index.nodeCount()).isZero();
  }
}
