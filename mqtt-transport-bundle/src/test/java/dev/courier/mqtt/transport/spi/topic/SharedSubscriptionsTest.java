package dev.courier.mqtt.transport.spi.topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.courier.mqtt.transport.spi.bridge.SubscriptionRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The {@code $share/{ShareName}/{filter}} form, MQTT 5.0 section 4.8.2. */
class SharedSubscriptionsTest {

  @ParameterizedTest(name = "{0} -> {1} / {2}")
  @CsvSource({
      "$share/g/a/b, g, a/b",
      "$share/g/#, g, #",
      "$share/g/+/x, g, +/x",
      "$share/group one/$SYS/#, group one, $SYS/#",
      "$share/g//, g, /",
      "$share/$share/a, $share, a",
  })
  void whenWellFormed_thenShareNameAndFilterSplit(String filter, String name, String topic) {
    assertThat(SharedSubscriptions.isShared(filter)).isTrue();
    assertThat(SharedSubscriptions.isValid(filter)).isTrue();
    assertThat(SharedSubscriptions.shareName(filter)).isEqualTo(name);
    assertThat(SharedSubscriptions.topicFilter(filter)).isEqualTo(topic);
    assertThat(SharedSubscriptions.of(name, topic)).isEqualTo(filter);
  }

  @ParameterizedTest(name = "{0} is malformed")
  @ValueSource(strings = {"$share", "$share/", "$share/g", "$share/g/", "$share//a",
      "$share/g+/a", "$share/g#/a", "$share/+/a", "$share/#/a", "$share/g/a#", "$share/g/a+b"})
  void whenMalformed_thenSharedButNotValid(String filter) {
    assertThat(SharedSubscriptions.isShared(filter)).isTrue();
    assertThat(SharedSubscriptions.isValid(filter)).isFalse();
    assertThat(SharedSubscriptions.shareName(filter)).isNull();
    assertThat(SharedSubscriptions.topicFilter(filter)).isNull();
  }

  @ParameterizedTest(name = "{0} is not shared")
  @ValueSource(strings = {"a/b", "#", "$sharex/g/a", "$SHARE/g/a", "x/$share/g/a", "$shared/g"})
  void whenOrdinaryFilter_thenNotShared(String filter) {
    assertThat(SharedSubscriptions.isShared(filter)).isFalse();
    assertThat(SharedSubscriptions.isValid(filter)).isFalse();
  }

  @Test
  void whenShareNameHasLoneSurrogate_thenInvalid() {
    assertThat(SharedSubscriptions.isValidShareName("a\uD800")).isFalse();
    assertThat(SharedSubscriptions.isValidShareName("\uDC00a")).isFalse();
    assertThat(SharedSubscriptions.isValidShareName("\uD83D\uDE00")).isTrue();
    assertThat(SharedSubscriptions.isValidShareName("")).isFalse();
    assertThat(SharedSubscriptions.isValidShareName(null)).isFalse();
  }

  @Test
  void whenRequestIsShared_thenKeyIsTheClientForm() {
    SubscriptionRequest shared = new SubscriptionRequest("a/+", 1, false, false, 0, 7, "g");
    assertThat(shared.shared()).isTrue();
    assertThat(shared.key()).isEqualTo("$share/g/a/+");
    SubscriptionRequest plain = new SubscriptionRequest("a/+", 1);
    assertThat(plain.shared()).isFalse();
    assertThat(plain.key()).isEqualTo("a/+");
  }

  @Test
  void whenSharedRequestHasNoLocalOrBadName_thenRejected() {
    assertThatThrownBy(() -> new SubscriptionRequest("a", 1, true, false, 0, 0, "g"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SubscriptionRequest("a", 1, false, false, 0, 0, "g/h"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SharedSubscriptions.of("g", "a/#/b"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
