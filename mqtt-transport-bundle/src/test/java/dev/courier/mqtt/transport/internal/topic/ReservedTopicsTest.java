package dev.courier.mqtt.transport.internal.topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Which topics and filters the reserved space covers. */
class ReservedTopicsTest {

  private final ReservedTopics reserved =
      ReservedTopics.of(List.of("activemq/#", "$/artemis/internal/#", "$x/+/y"));

  @ParameterizedTest
  @CsvSource({
      "$courier/retained, true", "$courier, true", "$courier/a/b/c, true",
      "activemq/notifications, true", "activemq, true", "activemq/management/x, true",
      "$/artemis/internal/sf/c, true", "$x/any/y, true", "$x/any/y/z, false",
      "$courierx/a, false", "activemq2/x, false", "a/activemq, false", "sensors/1, false",
      "$SYS/broker, false", "$x/y, false"})
  void isReserved(String topic, boolean expected) {
    assertThat(reserved.isReserved(topic)).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource({
      "$courier/#, true", "$courier/+, true", "$courier, true", "$courier/retained/#, true",
      "activemq/#, true", "activemq/+/x, true", "activemq, true", "$x/a/y, true", "$x/+/y, true",
      "#, false", "+/notifications, false", "+, false", "$x/#, false", "$x/+/#, false",
      "activemq2/#, false", "$/artemis/#, false", "$/artemis/internal/+, true"})
  void confines(String filter, boolean expected) {
    assertThat(reserved.confines(filter)).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource({
      "a/+, a/, true", "a/#, a, true", "#, a/b, true", "+, a/b, false", "a/b, a, false",
      "a, ab, false", "ab, a, false", "a/, a/, true", "a/, a/b, false", "+/b, /b, true",
      "/a, /a, true", "+/+, a/b, true", "#, $SYS/x, false", "+/x, $SYS/x, false",
      "$SYS/#, $SYS/x, true", "a/+/c, a/b/c, true", "a/+/c, a/b/d, false"})
  void theMatcherItUsesMatchesAsTheSpecSays(String filter, String topic, boolean expected) {
    assertThat(TopicSyntax.matchesValid(filter, topic)).isEqualTo(expected);
  }

  @Test
  void whenReservedFilterStartsWithWildcard_thenDollarFiltersAreNotConfined() {
    // [MQTT-4.7.2-1] "+/hidden" does not match "$x/hidden", so that topic is not reserved, and a
    // subscription to it is not confined to reserved topics (it was refused all the same).
    ReservedTopics wildcard = ReservedTopics.of(List.of("+/hidden"));
    assertThat(wildcard.isReserved("$x/hidden")).isFalse();
    assertThat(wildcard.confines("$x/hidden")).isFalse();
    assertThat(wildcard.confines("$x/+")).isFalse();
    assertThat(wildcard.confines("a/hidden")).isTrue();
    assertThat(wildcard.confines("+/hidden")).isTrue();
  }

  @Test
  void whenAFilterIsConfined_thenEveryTopicItMatchesIsReserved() {
    RandomTopics random = new RandomTopics(0x52534556L);
    List<String> topics = IntStream.range(0, 300)
        .mapToObj(i -> random.topicName()).toList();
    int confined = 0;
    for (int i = 0; i < 300; i++) {
      ReservedTopics space = ReservedTopics.of(List.of(random.topicFilter(), random.topicFilter()));
      for (int j = 0; j < 30; j++) {
        String filter = random.topicFilter();
        if (!space.confines(filter)) {
          continue;
        }
        confined++;
        for (String topic : topics) {
          if (TopicSyntax.matches(filter, topic)) {
            assertThat(space.isReserved(topic)).as("%s confined by %s, but %s is not reserved",
                filter, space, topic).isTrue();
          }
        }
      }
    }
    assertThat(confined).isGreaterThan(50);
  }

  @Test
  void whenTheBridgeDeclaresAnInvalidFilter_thenRejected() {
    assertThatThrownBy(() -> ReservedTopics.of(List.of("a/#/b")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a/#/b");
  }

  @Test
  void theProductSpaceIsAlwaysReserved() {
    assertThat(ReservedTopics.of(List.of()).filters()).containsExactly(ReservedTopics.COURIER);
  }
}
