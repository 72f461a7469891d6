package dev.courier.mqtt.transport.spi.topic;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The exported topic rules, case by case. The cases of matches, covers and overlaps are the auth
 * bundle's (its authorization decisions rest on them), every one kept; {@link
 * TopicFiltersExhaustiveTest} checks the same methods against an oracle.
 */
class TopicFiltersTest {

  @ParameterizedTest(name = "{0} matches {1}: {2}")
  @CsvSource({
      "a/b, a/b, true",
      "a/b, a/c, false",
      "a/+, a/b, true",
      "a/+, a/b/c, false",
      "a/#, a, true",
      "a/#, a/b/c, true",
      "#, a/b, true",
      "+/+, /a, true",
      "/+, /a, true",
      "+, a/b, false",
      "#, $SYS/x, false",
      "+/x, $SYS/x, false",
      "$SYS/#, $SYS/x, true",
      "a/b/c, a/b, false",
      "a/+, a/, true",
      "+/+, /, true",
      "+, /, false",
      "a/b, a/bc, false",
      "a/bc, a/b, false",
      "+/+, a/$b, true",
  })
  void whenMatchingTopic_thenStandardMqttRules(String filter, String topic, boolean expected) {
    assertThat(TopicFilters.matches(filter, topic)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} covers {1}: {2}")
  @CsvSource({
      "sensors/#, sensors/+/temp, true",
      "sensors/#, sensors/#, true",
      "sensors/#, sensors, true",
      "#, a/+/#, true",
      "a/+, a/b, true",
      "a/+, a/+, true",
      "a/+, a/#, false",
      "a/b, a/+, false",
      "a/b, a/#, false",
      "a/+/c, a/b/c, true",
      "a/+/c, a/b/d, false",
      "a/b, a/b/c, false",
      "a/b/c, a/b, false",
      "#, $SYS/broker, false",
      "+/broker, $SYS/broker, false",
      "$SYS/#, $SYS/+, true",
      "+/+, /x, true",
      "$SYS/#, +/x, false",
      "a/+/#, a/#, false",
  })
  void whenCheckingCoverage_thenRequestMustBeSubset(String outer, String inner,
      boolean expected) {
    assertThat(TopicFilters.covers(outer, inner)).isEqualTo(expected);
  }

  @Test
  void whenInnerIsHashAlone_thenOnlyHashCoversIt() {
    // Pinned conservative answer: "+/#" matches every topic "#" does (its '#' matching the empty
    // parent level), but an authorizer granting "#" only through a "#" rule is what operators
    // expect, and what the auth bundle has always done.
    assertThat(TopicFilters.covers("+/#", "#")).isFalse();
    assertThat(TopicFilters.covers("#", "#")).isTrue();
    assertThat(TopicFilters.covers("#", "+/#")).isTrue();
  }

  @Test
  void whenFiltersMeetOnlyOnTheEmptyString_thenTheyOverlap() {
    // Pinned conservative answer: "" is no topic name, but "+" and "/#" would both match it; a
    // deny rule on one refuses a subscription to the other.
    assertThat(TopicFilters.overlaps("+", "/#")).isTrue();
    assertThat(TopicFilters.overlaps("/#", "+")).isTrue();
    assertThat(TopicFilters.covers("/+/#", "/#")).isFalse();
  }

  @ParameterizedTest(name = "{0} overlaps {1}: {2}")
  @CsvSource({
      "test/nosubscribe, test/nosubscribe, true",
      "test/nosubscribe, #, true",
      "test/nosubscribe, +/+, true",
      "test/nosubscribe, test/+, true",
      "test/nosubscribe, +/other, false",
      "test/nosubscribe, TopicA/+, false",
      "a/#, a, true",
      "a, a/#, true",
      "a, a/+, false",
      "a/+/c, +/b/#, true",
      "a/b/c, a/b, false",
      "$SYS/#, #, false",
      "$SYS/#, +/x, false",
      "#, +/x, true",
      "$SYS/+, $SYS/x, true",
      "a/#, a/b/#, true",
      "a/+, a, false",
  })
  void whenCheckingOverlap_thenSomeTopicMatchesBoth(String a, String b, boolean expected) {
    assertThat(TopicFilters.overlaps(a, b)).isEqualTo(expected);
    assertThat(TopicFilters.overlaps(b, a)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"#", "+", "a/#", "+/+", "/+", "+/", "a//+", "+/tennis/#", "$SYS/#",
      "sport/+/player1", "π/€/𝄞/#"})
  void whenWildcardsAreWholeLevels_thenFilterIsValid(String filter) {
    assertThat(TopicFilters.isValidFilter(filter)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"sport/tennis#", "sport/tennis/#/ranking", "#/", "##", "a/#b", "a/b#/c",
      "sport+", "+sport", "sport/+tennis", "++", "+#", "#+", "a/+#"})
  void whenWildcardSharesALevelOrHashIsNotLast_thenFilterIsInvalid(String filter) {
    // [MQTT-4.7.1-2] [MQTT-4.7.1-3]
    assertThat(TopicFilters.isValidFilter(filter)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"a", "/", "a//b", "/a", "a/", "$SYS/x", "π/€/𝄞", "Accounts payable"})
  void whenNameHasNoWildcard_thenTopicNameIsValid(String name) {
    assertThat(TopicFilters.isValidTopicName(name)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"#", "+", "a/#", "a/+/b", "sport+", "a#"})
  void whenNameHasWildcard_thenTopicNameIsInvalid(String name) {
    // [MQTT-3.3.2-2]
    assertThat(TopicFilters.isValidTopicName(name)).isFalse();
  }

  @Test
  void whenEmptyOrNull_thenInvalid() {
    // [MQTT-4.7.3-1]
    assertThat(TopicFilters.isValidTopicName("")).isFalse();
    assertThat(TopicFilters.isValidFilter("")).isFalse();
    assertThat(TopicFilters.isValidTopicName(null)).isFalse();
    assertThat(TopicFilters.isValidFilter(null)).isFalse();
  }

  @Test
  void whenNulOrUnpairedSurrogate_thenInvalid() {
    // [MQTT-4.7.3-2] [MQTT-1.5.3-1]
    assertThat(TopicFilters.isValidTopicName("a\u0000b")).isFalse();
    assertThat(TopicFilters.isValidFilter("a/\u0000/#")).isFalse();
    assertThat(TopicFilters.isValidTopicName("a\uD834")).isFalse();
    assertThat(TopicFilters.isValidTopicName("\uDD1Ea")).isFalse();
    assertThat(TopicFilters.isValidTopicName("\uD834a\uDD1E")).isFalse();
    assertThat(TopicFilters.isValidFilter("\uD834/#")).isFalse();
    assertThat(TopicFilters.isValidTopicName("\uD834\uDD1E")).isTrue();
  }

  @Test
  void whenUtf8LengthExceeds65535_thenInvalid() {
    // [MQTT-4.7.3-3] measured in UTF-8 bytes, not chars
    assertThat(TopicFilters.isValidTopicName("a".repeat(65_535))).isTrue();
    assertThat(TopicFilters.isValidTopicName("a".repeat(65_536))).isFalse();
    assertThat(TopicFilters.isValidTopicName("é".repeat(32_767) + "a")).isTrue();
    assertThat(TopicFilters.isValidTopicName("é".repeat(32_768))).isFalse();
    assertThat(TopicFilters.isValidFilter("€".repeat(21_845))).isTrue();
    assertThat(TopicFilters.isValidFilter("€".repeat(21_845) + "/#")).isFalse();
    assertThat(TopicFilters.isValidTopicName("𝄞".repeat(16_383) + "abc")).isTrue();
    assertThat(TopicFilters.isValidTopicName("𝄞".repeat(16_384))).isFalse();
  }

  @Test
  void whenCuttingIntoLevels_thenEmptyLevelsAreKept() {
    assertThat(TopicFilters.levels("/a/")).containsExactly("", "a", "");
    assertThat(TopicFilters.levels("a")).containsExactly("a");
    assertThat(TopicFilters.levels("/")).containsExactly("", "");
    assertThat(TopicFilters.levels("sensors/+/#")).containsExactly("sensors", "+", "#");
  }

  @Test
  void whenFilterStartsWithWildcard_thenServerTopicRuleApplies() {
    assertThat(TopicFilters.startsWithWildcard("#")).isTrue();
    assertThat(TopicFilters.startsWithWildcard("+/a")).isTrue();
    assertThat(TopicFilters.startsWithWildcard("a/+")).isFalse();
    assertThat(TopicFilters.startsWithWildcard("$SYS/#")).isFalse();
  }

  @Test
  void whenArgumentsAreEmpty_thenNothingMatchesAndNothingThrows() {
    assertThat(TopicFilters.matches("", "a")).isFalse();
    assertThat(TopicFilters.matches("#", "")).isFalse();
    assertThat(TopicFilters.covers("", "a")).isFalse();
    assertThat(TopicFilters.covers("#", "")).isFalse();
    assertThat(TopicFilters.overlaps("", "#")).isFalse();
    assertThat(TopicFilters.overlaps("#", "")).isFalse();
  }
}
