package dev.courier.mqtt.transport.internal.topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** MQTT 3.1.1 section 4.7 (Topic Names and Topic Filters): validity and the reference matcher. */
class TopicSyntaxTest {

  /** 4.7.1.2 Multi-level wildcard. */
  @Nested
  class MultiLevelWildcard {

    @ParameterizedTest
    @ValueSource(strings = {
        "sport/tennis/player1",
        "sport/tennis/player1/ranking",
        "sport/tennis/player1/score/wimbledon"})
    void whenFilterEndsWithHash_thenParentAndAllDescendantsMatch(String topic) {
      assertThat(TopicSyntax.matches("sport/tennis/player1/#", topic)).isTrue();
    }

    @Test
    void whenFilterIsSportHash_thenSportItselfMatches() {
      // [MQTT-4.7.1-2] "#" includes the parent level
      assertThat(TopicSyntax.matches("sport/#", "sport")).isTrue();
    }

    @Test
    void whenFilterIsHashAlone_thenEveryNonServerTopicMatches() {
      assertThat(TopicSyntax.matches("#", "sport")).isTrue();
      assertThat(TopicSyntax.matches("#", "/")).isTrue();
      assertThat(TopicSyntax.matches("#", "a/b/c")).isTrue();
    }

    @Test
    void whenHashFollowsDifferentPrefix_thenNoMatch() {
      assertThat(TopicSyntax.matches("sport/tennis/player1/#", "sport/tennis/player2")).isFalse();
      assertThat(TopicSyntax.matches("sport/tennis/player1/#", "sport/tennis")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"#", "sport/tennis/#", "sport/#", "/#", "+/#"})
    void whenHashIsWholeLastLevel_thenFilterIsValid(String filter) {
      assertThat(TopicSyntax.isValidTopicFilter(filter)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "sport/tennis#", "sport/tennis/#/ranking", "#/", "##", "a/#b", "a/b#/c"})
    void whenHashIsNotWholeLastLevel_thenFilterIsInvalid(String filter) {
      // [MQTT-4.7.1-2]
      assertThat(TopicSyntax.isValidTopicFilter(filter)).isFalse();
    }
  }

  /** 4.7.1.3 Single-level wildcard. */
  @Nested
  class SingleLevelWildcard {

    @Test
    void whenPlusIsLastLevel_thenExactlyOneLevelMatches() {
      assertThat(TopicSyntax.matches("sport/tennis/+", "sport/tennis/player1")).isTrue();
      assertThat(TopicSyntax.matches("sport/tennis/+", "sport/tennis/player2")).isTrue();
      assertThat(TopicSyntax.matches("sport/tennis/+", "sport/tennis/player1/ranking")).isFalse();
    }

    @Test
    void whenFilterIsSportPlus_thenSportDoesNotMatchButSportSlashDoes() {
      assertThat(TopicSyntax.matches("sport/+", "sport")).isFalse();
      // '+' matches the empty level after the trailing separator
      assertThat(TopicSyntax.matches("sport/+", "sport/")).isTrue();
    }

    @Test
    void whenTopicIsSlashFinance_thenPlusPlusAndSlashPlusMatchButPlusDoesNot() {
      assertThat(TopicSyntax.matches("+/+", "/finance")).isTrue();
      assertThat(TopicSyntax.matches("/+", "/finance")).isTrue();
      assertThat(TopicSyntax.matches("+", "/finance")).isFalse();
    }

    @Test
    void whenPlusIsInTheMiddle_thenOnlyThatLevelIsFree() {
      assertThat(TopicSyntax.matches("sport/+/player1", "sport/tennis/player1")).isTrue();
      assertThat(TopicSyntax.matches("sport/+/player1", "sport//player1")).isTrue();
      assertThat(TopicSyntax.matches("sport/+/player1", "sport/tennis/player2")).isFalse();
      assertThat(TopicSyntax.matches("+/tennis/#", "sport/tennis")).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"+", "+/tennis/#", "sport/+/player1", "+/+", "/+", "+/", "a//+"})
    void whenPlusIsWholeLevel_thenFilterIsValid(String filter) {
      assertThat(TopicSyntax.isValidTopicFilter(filter)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sport+", "+sport", "sport/+tennis", "sport/ten+nis/x", "++"})
    void whenPlusSharesItsLevel_thenFilterIsInvalid(String filter) {
      // [MQTT-4.7.1-3]
      assertThat(TopicSyntax.isValidTopicFilter(filter)).isFalse();
    }
  }

  /** 4.7.2 Topics beginning with $. */
  @Nested
  class ServerTopics {

    @Test
    void whenFilterIsHash_thenSysTopicsDoNotMatch() {
      // [MQTT-4.7.2-1]
      assertThat(TopicSyntax.matches("#", "$SYS/broker/clients")).isFalse();
      assertThat(TopicSyntax.matches("#", "$SYS")).isFalse();
    }

    @Test
    void whenFilterStartsWithPlus_thenSysTopicsDoNotMatch() {
      assertThat(TopicSyntax.matches("+/monitor/Clients", "$SYS/monitor/Clients")).isFalse();
      assertThat(TopicSyntax.matches("+/monitor/Clients", "SYS/monitor/Clients")).isTrue();
    }

    @Test
    void whenFilterStartsWithDollarLevel_thenSysTopicsMatch() {
      assertThat(TopicSyntax.matches("$SYS/#", "$SYS/monitor/Clients")).isTrue();
      assertThat(TopicSyntax.matches("$SYS/#", "$SYS")).isTrue();
      assertThat(TopicSyntax.matches("$SYS/monitor/+", "$SYS/monitor/Clients")).isTrue();
    }

    @Test
    void whenDollarIsNotFirstCharacter_thenWildcardsStillMatch() {
      assertThat(TopicSyntax.matches("+/+", "a/$b")).isTrue();
      assertThat(TopicSyntax.matches("a/#", "a/$SYS")).isTrue();
    }
  }

  /** 4.7.3 Topic semantic and usage. */
  @Nested
  class Semantics {

    @Test
    void whenCaseDiffers_thenNoMatch() {
      assertThat(TopicSyntax.matches("ACCOUNTS", "Accounts")).isFalse();
      assertThat(TopicSyntax.matches("Accounts", "Accounts")).isTrue();
    }

    @Test
    void whenLevelsContainSpaces_thenTheyAreOrdinaryCharacters() {
      assertThat(TopicSyntax.isValidTopicName("Accounts payable")).isTrue();
      assertThat(TopicSyntax.matches("Accounts payable", "Accounts payable")).isTrue();
      assertThat(TopicSyntax.matches("Accounts payable", "Accountspayable")).isFalse();
    }

    @Test
    void whenLeadingSlashDiffers_thenTopicsAreDistinct() {
      assertThat(TopicSyntax.matches("/finance", "finance")).isFalse();
      assertThat(TopicSyntax.matches("finance", "/finance")).isFalse();
    }

    @Test
    void whenTopicIsOnlySeparators_thenLevelsAreEmpty() {
      assertThat(TopicSyntax.isValidTopicName("/")).isTrue();
      assertThat(TopicSyntax.matches("+/+", "/")).isTrue();
      assertThat(TopicSyntax.matches("+", "/")).isFalse();
      assertThat(TopicSyntax.matches("/", "/")).isTrue();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "a/b     | a/b   | true",
        "a/b     | a/bc  | false",
        "a/bc    | a/b   | false",
        "a/b     | a/b/c | false",
        "a/b/c   | a/b   | false",
        "a/+/c   | a/b/c | true",
        "a/+/#   | a/b   | true",
        "a/+/+   | a/b   | false",
        "a//b    | a//b  | true",
        "a/+/b   | a//b  | true",
        "a/#     | a/    | true",
        "+/#     | /     | true"})
    void whenComparingLevels_thenMatchesFollowsSpec(String filter, String topic, boolean expected) {
      assertThat(TopicSyntax.matches(filter.strip(), topic.strip())).isEqualTo(expected);
    }

    @Test
    void whenArgumentsAreInvalid_thenNoMatch() {
      assertThat(TopicSyntax.matches("a/#/b", "a/x/b")).isFalse();
      assertThat(TopicSyntax.matches("#", "a/+")).isFalse();
      assertThat(TopicSyntax.matches("", "")).isFalse();
    }

    @Test
    void whenArgumentIsNull_thenNullPointerException() {
      assertThatNullPointerException().isThrownBy(() -> TopicSyntax.matches(null, "a"));
      assertThatNullPointerException().isThrownBy(() -> TopicSyntax.matches("a", null));
    }
  }

  /** Validity rules shared by names and filters (4.7.3, 1.5.3) and the name-only rules (3.3.2). */
  @Nested
  class Validity {

    @ParameterizedTest
    @ValueSource(strings = {
        "a", "/", "a//b", "/a", "a/", "$SYS/x", "sport/tennis/player1", "π/€/𝄞"})
    void whenNameHasNoWildcard_thenItIsValid(String name) {
      assertThat(TopicSyntax.isValidTopicName(name)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"#", "+", "a/#", "a/+/b", "sport+", "a#"})
    void whenNameHasWildcard_thenItIsInvalid(String name) {
      // [MQTT-3.3.2-2]
      assertThat(TopicSyntax.isValidTopicName(name)).isFalse();
    }

    @Test
    void whenEmptyOrNull_thenInvalid() {
      // [MQTT-4.7.3-1]
      assertThat(TopicSyntax.isValidTopicName("")).isFalse();
      assertThat(TopicSyntax.isValidTopicFilter("")).isFalse();
      assertThat(TopicSyntax.isValidTopicName(null)).isFalse();
      assertThat(TopicSyntax.isValidTopicFilter(null)).isFalse();
    }

    @Test
    void whenContainsNullCharacter_thenInvalid() {
      // [MQTT-4.7.3-2]
      assertThat(TopicSyntax.isValidTopicName("a\u0000b")).isFalse();
      assertThat(TopicSyntax.isValidTopicFilter("a/\u0000/#")).isFalse();
      assertThat(TopicSyntax.isValidTopicName("\u0000")).isFalse();
    }

    @Test
    void whenContainsUnpairedSurrogate_thenInvalid() {
      // [MQTT-1.5.3-1]
      assertThat(TopicSyntax.isValidTopicName("a\uD834")).isFalse();
      assertThat(TopicSyntax.isValidTopicName("\uDD1Ea")).isFalse();
      assertThat(TopicSyntax.isValidTopicFilter("\uD834/#")).isFalse();
      assertThat(TopicSyntax.isValidTopicName("\uD834\uDD1E")).isTrue();
    }

    @Test
    void whenUtf8LengthExceeds65535_thenInvalid() {
      // [MQTT-4.7.3-3] measured in UTF-8 bytes, not chars
      assertThat(TopicSyntax.isValidTopicName("a".repeat(65_535))).isTrue();
      assertThat(TopicSyntax.isValidTopicName("a".repeat(65_536))).isFalse();
      assertThat(TopicSyntax.isValidTopicName("é".repeat(32_767) + "a")).isTrue();
      assertThat(TopicSyntax.isValidTopicName("é".repeat(32_768))).isFalse();
      assertThat(TopicSyntax.isValidTopicFilter("€".repeat(21_845))).isTrue();
      assertThat(TopicSyntax.isValidTopicFilter("€".repeat(21_845) + "/#")).isFalse();
      assertThat(TopicSyntax.isValidTopicName("𝄞".repeat(16_384))).isFalse();
    }
  }

  /** The server's own bounds, maxTopicLength (UTF-8 bytes) and maxTopicLevels. */
  @Nested
  class ServerBounds {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"a", "a/b", "é", "€", "𝄞", "a/€/𝄞/é", "+/#", "ÿ\u0800"})
    void whenTextIsAnything_thenTheUtf8LengthIsThatOfItsEncoding(String text) {
      int encoded = text.getBytes(StandardCharsets.UTF_8).length;
      assertThat(TopicSyntax.utf8Length(text)).isEqualTo(encoded);
      assertThat(TopicSyntax.fitsLength(text, encoded)).isTrue();
      assertThat(TopicSyntax.fitsLength(text, encoded - 1)).isFalse();
    }

    @Test
    void whenLengthIsNearTheBound_thenBytesNotCharsDecide() {
      // 3 chars: "€€€" is 9 bytes, "𝄞" is 2 chars and 4 bytes.
      assertThat(TopicSyntax.fitsLength("€€€", 8)).isFalse();
      assertThat(TopicSyntax.fitsLength("€€€", 9)).isTrue();
      assertThat(TopicSyntax.fitsLength("𝄞", 3)).isFalse();
      assertThat(TopicSyntax.fitsLength("𝄞", 4)).isTrue();
      assertThat(TopicSyntax.fitsLength("a".repeat(65_535), 65_535)).isTrue();
      assertThat(TopicSyntax.fitsLength("a".repeat(65_535), 65_534)).isFalse();
    }

    @ParameterizedTest(name = "{0} has {1}")
    @CsvSource({"a, 1", "a/b, 2", "/, 2", "//, 3", "a/b/c/d, 4", "+/+/#, 3", "/a/, 3"})
    void whenCountingLevels_thenEachSeparatorAddsOne(String topic, int levels) {
      assertThat(TopicSyntax.fitsLevels(topic, levels)).isTrue();
      assertThat(TopicSyntax.fitsLevels(topic, levels - 1)).as("one fewer allowed").isFalse();
    }

    @Test
    void whenTopicIsLongButShallow_thenItFits() {
      assertThat(TopicSyntax.fitsLevels("a".repeat(5_000), 2)).isTrue();
      assertThat(TopicSyntax.fitsLevels("/".repeat(1_023), 1_024)).isTrue();
      assertThat(TopicSyntax.fitsLevels("/".repeat(1_024), 1_024)).isFalse();
    }
  }
}
