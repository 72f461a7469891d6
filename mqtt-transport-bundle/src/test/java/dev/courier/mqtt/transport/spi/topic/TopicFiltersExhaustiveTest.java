package dev.courier.mqtt.transport.spi.topic;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every filter of up to three levels over {@code a}, {@code b}, {@code $x}, the empty level,
 * {@code +} and {@code #}, against every topic of up to four levels over the same plain levels and
 * {@code c} (a level no filter names): {@link TopicFilters#matches} must agree with a regular
 * expression built from the spec's wording, and {@link TopicFilters#covers} and {@link
 * TopicFilters#overlaps} with the sets of topics that match. Four topic levels are enough: a filter
 * of three levels that fails to cover or to meet another shows it on a topic at most one level
 * longer than either.
 *
 * <p>The sets also hold the empty string, which is no topic name [MQTT-4.7.3-1] but which the
 * oracle (like the spec's wording) lets {@code +}, {@code #}, {@code /#} and {@code +/#} match:
 * covers and overlaps answer as if it were one, which errs towards refusing in authorization.
 */
class TopicFiltersExhaustiveTest {

  private static final List<String> FILTER_LEVELS = List.of("a", "b", "$x", "", "+", "#");
  private static final List<String> TOPIC_LEVELS = List.of("a", "b", "$x", "", "c");

  private static List<String> filters;
  private static List<String> topics;
  /** Index, in the sets of {@link #matched}, of the empty string. */
  private static int empty;
  /**
   * For each filter, the topics (by index) it matches according to the oracle, and at {@link
   * #empty} whether it matches the empty string.
   */
  private static List<BitSet> matched;

  @BeforeAll
  static void enumerate() {
    filters = sequences(FILTER_LEVELS, 3);
    topics = sequences(TOPIC_LEVELS, 4);
    empty = topics.size();
    matched = new ArrayList<>();
    for (String filter : filters) {
      Pattern oracle = oracle(filter);
      BitSet set = new BitSet(topics.size() + 1);
      for (int t = 0; t < topics.size(); t++) {
        set.set(t, oracle.matcher(topics.get(t)).matches());
      }
      set.set(empty, oracle.matcher("").matches());
      matched.add(set);
    }
  }

  @Test
  void whenEnumerated_thenEveryFilterAndTopicIsValid() {
    // Guards the enumeration itself: 6 + 5*6 + 25*6 filters, minus the empty one.
    assertThat(filters).hasSize(185).allMatch(TopicFilters::isValidFilter);
    assertThat(topics).hasSize(5 + 25 + 125 + 625 - 1).allMatch(TopicFilters::isValidTopicName);
  }

  @Test
  void whenMatching_thenAgreesWithTheRegexOracle() {
    int pairs = 0;
    for (int f = 0; f < filters.size(); f++) {
      for (int t = 0; t < topics.size(); t++) {
        assertThat(TopicFilters.matches(filters.get(f), topics.get(t)))
            .as("%s matches %s", filters.get(f), topics.get(t)).isEqualTo(matched.get(f).get(t));
        pairs += matched.get(f).get(t) ? 1 : 0;
      }
    }
    // The oracle is not vacuous: a good share of pairs match, a good share do not.
    assertThat(pairs).isBetween(filters.size() * topics.size() / 50,
        filters.size() * topics.size() / 2);
  }

  @Test
  void whenCheckingOverlap_thenTrueExactlyWhenSomeTopicMatchesBoth() {
    List<String> onlyOnEmpty = new ArrayList<>();
    for (int a = 0; a < filters.size(); a++) {
      for (int b = 0; b < filters.size(); b++) {
        BitSet both = (BitSet) matched.get(a).clone();
        both.and(matched.get(b));
        boolean overlaps = TopicFilters.overlaps(filters.get(a), filters.get(b));
        assertThat(overlaps).as("%s overlaps %s", filters.get(a), filters.get(b))
            .isEqualTo(!both.isEmpty());
        if (overlaps && both.cardinality() == 1 && both.get(empty)) {
          onlyOnEmpty.add(filters.get(a) + " and " + filters.get(b));
        }
      }
    }
    // Conservative where the two meet on the empty string alone.
    assertThat(onlyOnEmpty).containsExactlyInAnyOrder("+ and /#", "/# and +");
  }

  @Test
  void whenCheckingCoverage_thenSoundAndExactButForHashUnderPlusHash() {
    List<String> conservative = new ArrayList<>();
    for (int o = 0; o < filters.size(); o++) {
      for (int n = 0; n < filters.size(); n++) {
        BitSet notCovered = (BitSet) matched.get(n).clone();
        notCovered.andNot(matched.get(o));
        boolean covers = TopicFilters.covers(filters.get(o), filters.get(n));
        // Sound: a cover is never claimed where some topic of inner escapes outer.
        int escaping = notCovered.nextSetBit(0);
        assertThat(covers && escaping >= 0 && escaping < empty)
            .as("%s covers %s", filters.get(o), filters.get(n)).isFalse();
        if (notCovered.isEmpty() != covers) {
          conservative.add(filters.get(o) + " over " + filters.get(n));
        }
      }
    }
    // Exact, counting the empty string, but for the one case the authorizer pins
    // (TopicFiltersTest); "/+/#" does not cover "/#", which matches the empty string.
    assertThat(conservative).containsExactly("+/# over #");
    assertThat(TopicFilters.covers("/+/#", "/#")).isFalse();
  }

  @Test
  void whenInnerIsATopicName_thenCoversAndOverlapsAreMatches() {
    for (String filter : filters) {
      for (String topic : topics) {
        boolean matches = TopicFilters.matches(filter, topic);
        assertThat(TopicFilters.covers(filter, topic)).as("%s covers %s", filter, topic)
            .isEqualTo(matches);
        assertThat(TopicFilters.overlaps(filter, topic)).as("%s overlaps %s", filter, topic)
            .isEqualTo(matches);
      }
    }
  }

  @Test
  void whenEveryShortStringIsChecked_thenValidityFollowsTheGrammar() {
    // level := any chars but '/', '+', '#' | '+'; filter := (level '/')* (level | '#')
    Pattern filterGrammar = Pattern.compile("(?:(?:[^/+#]*|\\+)/)*(?:[^/+#]*|\\+|#)");
    Pattern nameGrammar = Pattern.compile("[^+#]+");
    List<String> strings = sequences(List.of("a", "$", "/", "+", "#"), 6, "");
    for (String s : strings) {
      assertThat(TopicFilters.isValidFilter(s)).as("filter '%s'", s)
          .isEqualTo(filterGrammar.matcher(s).matches());
      assertThat(TopicFilters.isValidTopicName(s)).as("name '%s'", s)
          .isEqualTo(nameGrammar.matcher(s).matches());
    }
  }

  /** The spec's wording as a regular expression, built independently of the code under test. */
  private static Pattern oracle(String filter) {
    String[] levels = filter.split("/", -1);
    StringBuilder regex = new StringBuilder();
    if (levels[0].equals("+") || levels[0].equals("#")) {
      regex.append("(?!\\$)"); // [MQTT-4.7.2-1]
    }
    for (int i = 0; i < levels.length; i++) {
      if (levels[i].equals("#")) {
        regex.append(i == 0 ? ".*" : "(?:/.*)?"); // the parent level and everything below
        break;
      }
      regex.append(i == 0 ? "" : "/");
      regex.append(levels[i].equals("+") ? "[^/]*" : Pattern.quote(levels[i]));
    }
    return Pattern.compile(regex.toString());
  }

  /** Non-empty strings of 1 to {@code max} levels, a {@code #} only last. */
  private static List<String> sequences(List<String> alphabet, int max) {
    List<String> out = new ArrayList<>();
    for (String s : sequences(alphabet, max, "/")) {
      if (!s.isEmpty() && (s.indexOf('#') < 0 || s.indexOf('#') == s.length() - 1)) {
        out.add(s);
      }
    }
    return out;
  }

  /** Every join of 1 to {@code max} symbols of {@code alphabet} with {@code separator}. */
  private static List<String> sequences(List<String> alphabet, int max, String separator) {
    List<String> all = new ArrayList<>();
    List<String> previous = List.of("");
    for (int length = 1; length <= max; length++) {
      List<String> next = new ArrayList<>();
      for (String prefix : previous) {
        for (String symbol : alphabet) {
          next.add(length == 1 ? symbol : prefix + separator + symbol);
        }
      }
      all.addAll(next);
      previous = next;
    }
    return all;
  }
}
