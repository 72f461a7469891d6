package dev.courier.mqtt.auth.internal.scram;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The lines of a SCRAM credentials file. */
class ScramCredentialsTest {

  private static final String SECRET = "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$"
      + "WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=";

  @Test
  void whenLinesHaveUsersSecretsAndRoles_thenEachUserWithItsRoles() {
    ScramCredentials.Result result = ScramCredentials.parse(List.of(
        "# comment", "", "  alice = " + SECRET + ", ops , sensors,", "bob=" + SECRET));

    assertThat(result.problems()).isEmpty();
    assertThat(result.users()).containsOnlyKeys("alice", "bob");
    assertThat(result.users().get("alice").roles()).containsExactlyInAnyOrder("ops", "sensors");
    assertThat(result.users().get("bob").roles()).isEmpty();
    assertThat(result.users().get("bob").secret()).isEqualTo(ScramSecret.parse(SECRET));
  }

  @Test
  void whenLinesAreBad_thenEachIsReportedByNumberWithoutItsSecretAndSkipped() {
    ScramCredentials.Result result = ScramCredentials.parse(List.of(
        "alice = " + SECRET.replace("4096", "four"), "no separator here", "= " + SECRET,
        "carol = " + SECRET, "carol = " + SECRET + ", admin", "dave = " + SECRET.substring(0, 40)));

    assertThat(result.users()).containsOnlyKeys("carol");
    assertThat(result.users().get("carol").roles()).as("the first line counts").isEmpty();
    assertThat(result.problems()).hasSize(5)
        .allSatisfy(problem -> assertThat(problem).doesNotContain("W22Z").doesNotContain("WG5d"));
    assertThat(result.problems()).extracting(problem -> problem.substring(0, 7))
        .containsExactly("line 1:", "line 2:", "line 3:", "line 5:", "line 6:");
  }
}
