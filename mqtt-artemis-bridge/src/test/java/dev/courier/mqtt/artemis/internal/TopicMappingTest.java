package dev.courier.mqtt.artemis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.spi.topic.RetainedIndex;
import dev.courier.mqtt.transport.spi.topic.TopicFilters;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TopicMappingTest {

  @ParameterizedTest
  @CsvSource({
      "a/b/c, a.b.c",
      "sensors/eu.west/temp, sensors.eu/west.temp",
      "a/+/#, a.*.#",
      "#, #",
      "/leading, .leading",
      "star*literal, star+literal",
  })
  void mapsBothWays(String mqtt, String artemis) {
    assertThat(TopicMapping.toAddress(mqtt)).isEqualTo(artemis);
    assertThat(TopicMapping.toTopic(artemis)).isEqualTo(mqtt);
  }

  @ParameterizedTest
  @CsvSource({
      "a/b/c, a/b/c, true",
      "a/+/c, a/b/c, true",
      "a/+/c, a/b/d, false",
      "a/#, a, true",
      "a/#, a/b/c, true",
      "#, a/b, true",
      "#, $SYS/x, false",
      "+/x, $SYS/x, false",
      "$SYS/#, $SYS/x, true",
      "a/+, a/, true",
      "a/+, a, false",
      "+, /, false",
      "+/+, /, true",
      "a/b, a/bc, false",
      "a/bc, a/b, false",
      "a/b/c, a/b, false",
      "a/b, a/b/c, false",
  })
  void retainedLookupMatchesLikeMqtt(String filter, String topic, boolean expected) {
    // The retained lookup of a SUBSCRIBE (RetainedStore.matching) is the transport's trie.
    RetainedIndex<String> index = new RetainedIndex<>();
    index.put(topic, topic);
    List<String> found = new ArrayList<>();
    index.match(filter, found::add);
    assertThat(found.contains(topic)).isEqualTo(expected);
  }

  @Test
  void whenAnAddressIsNoMqttTopic_thenItIsNotReservedButTheOthersAre() {
    // The transport refuses a bridge whose reserved filters are invalid (it would not start), so
    // an address no MQTT client can name is left out: an unpaired surrogate [MQTT-1.5.3-1], more
    // than 65535 UTF-8 bytes [MQTT-4.7.3-3], U+0000, wildcards, nothing at all.
    List<String> reserved = ArtemisBridge.reservedTopics(List.of("activemq.", "dlq\uD800",
        "x".repeat(65_534), "nul\u0000", "a.*.b", "#", ".", "$sys.mqtt.", "DLQ"));

    assertThat(reserved).containsExactly("activemq/#", "$sys/mqtt/#", "DLQ/#");
    assertThat(reserved).allMatch(TopicFilters::isValidFilter);
  }
}
