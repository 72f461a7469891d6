package dev.courier.mqtt.auth.internal.scram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The stored form of a SCRAM-SHA-256 password: derivation (RFC 7677's vector) and its text. */
class ScramSecretTest {

  private static final String PENCIL = "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$"
      + "WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=";

  @Test
  void whenDerivedFromTheRfc7677Password_thenStoredAndServerKeyAreThoseOfTheVector() {
    ScramSecret secret = ScramSecret.derive("pencil".getBytes(StandardCharsets.UTF_8),
        Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096);

    assertThat(secret.format()).isEqualTo(PENCIL);
  }

  @Test
  void whenParsedAndFormatted_thenTheSameText() {
    ScramSecret secret = ScramSecret.parse(PENCIL);

    assertThat(secret.iterations()).isEqualTo(4096);
    assertThat(secret.format()).isEqualTo(PENCIL);
    assertThat(secret).isEqualTo(ScramSecret.parse(PENCIL));
    assertThat(secret.toString()).doesNotContain("WG5d").doesNotContain("W22Z");
  }

  @ParameterizedTest
  @ValueSource(strings = {"md5abc", "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==",
      "SCRAM-SHA-256$x:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:wfPL",
      "SCRAM-SHA-256$0:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY="
          + ":wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=",
      "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$c2hvcnQ=:wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU="})
  void whenTheTextIsNoSecret_thenRefusedWithoutRepeatingIt(String text) {
    assertThatThrownBy(() -> ScramSecret.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("W22Z").doesNotContain("wfPL"));
  }
}
