package dev.courier.mqtt.auth.internal.acl;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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
  })
  void whenCheckingCoverage_thenRequestMustBeSubset(String outer, String inner,
      boolean expected) {
    assertThat(TopicFilters.covers(outer, inner)).isEqualTo(expected);
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
  })
  void whenCheckingOverlap_thenSomeTopicMatchesBoth(String a, String b, boolean expected) {
    assertThat(TopicFilters.overlaps(a, b)).isEqualTo(expected);
    assertThat(TopicFilters.overlaps(b, a)).isEqualTo(expected);
  }
}
