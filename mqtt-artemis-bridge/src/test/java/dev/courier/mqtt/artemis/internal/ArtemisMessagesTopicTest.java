package dev.courier.mqtt.artemis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The topic check on delivery remembers the last valid topic, and a remembered one never lets an
 * invalid name through (another protocol's client may set the topic property to anything).
 */
class ArtemisMessagesTopicTest {

  @Test
  void whenTheSameTopicComesAgain_thenStillValid_andInvalidNamesStayInvalid() {
    assertThat(ArtemisMessages.isValidTopicName("a/b")).isTrue();
    assertThat(ArtemisMessages.isValidTopicName(new String("a/b"))).isTrue();
    assertThat(ArtemisMessages.isValidTopicName("a/+")).isFalse();
    assertThat(ArtemisMessages.isValidTopicName("a/#")).isFalse();
    assertThat(ArtemisMessages.isValidTopicName("a\u0000b")).isFalse();
    assertThat(ArtemisMessages.isValidTopicName("")).isFalse();
    // the invalid ones did not replace the remembered one, nor were remembered themselves
    assertThat(ArtemisMessages.isValidTopicName("a/b")).isTrue();
    assertThat(ArtemisMessages.isValidTopicName("a/+")).isFalse();
  }

  @Test
  void whenNothingWasRememberedYet_thenTheEmptyNameIsInvalid() {
    assertThat(ArtemisMessages.isValidTopicName("")).isFalse();
    assertThat(ArtemisMessages.isValidTopicName("x")).isTrue();
  }
}
