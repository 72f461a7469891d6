package dev.courier.mqtt.auth.internal.scram;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The tool that makes credentials file lines from a password on standard input. */
class ScramSecretsTest {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String input, String... args) {
    return ScramSecrets.run(args, null,
        new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void whenAUserAndPasswordAreGiven_thenALineTheStoreReadsAndThePasswordMatches() {
    assertThat(run("pencil\n", "user", "ops", "sensors")).isZero();

    String line = out.toString(StandardCharsets.UTF_8).strip();
    assertThat(line).startsWith("user = SCRAM-SHA-256$4096:").endsWith(", ops, sensors")
        .doesNotContain("pencil");
    ScramUser user = ScramCredentials.parse(List.of(line)).users().get("user");
    assertThat(user.roles()).containsExactlyInAnyOrder("ops", "sensors");
    assertThat(user.secret().salt()).hasSize(16);
    assertThat(ScramSecret.derive("pencil".getBytes(StandardCharsets.UTF_8), user.secret().salt(),
        4096)).isEqualTo(user.secret());
  }

  @Test
  void whenRunTwice_thenTheSaltsDiffer() {
    run("pencil\n", "user");
    run("pencil\n", "user");

    String[] lines = out.toString(StandardCharsets.UTF_8).strip().split("\\R");
    assertThat(lines[0]).isNotEqualTo(lines[1]);
  }

  @Test
  void whenIterationsAreGiven_thenTheyAreUsed() {
    assertThat(run("pw\n", "--iterations", "10000", "bob")).isZero();

    assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("bob = SCRAM-SHA-256$10000:");
  }

  @Test
  void whenTheUsageIsWrong_thenStatus2AndNothingPrinted() {
    assertThat(run("pw\n")).isEqualTo(2);
    assertThat(run("pw\n", "a=b")).isEqualTo(2);
    assertThat(run("pw\n", "--iterations", "0", "bob")).isEqualTo(2);
    assertThat(out.size()).isZero();
  }

  @Test
  void whenNoPasswordComes_thenStatus1() {
    assertThat(run("", "bob")).isEqualTo(1);
    assertThat(out.size()).isZero();
  }
}
