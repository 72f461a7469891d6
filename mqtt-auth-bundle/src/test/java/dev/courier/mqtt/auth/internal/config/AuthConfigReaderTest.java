package dev.courier.mqtt.auth.internal.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.auth.internal.acl.TopicPolicy.SubscribeDenyMode;
import dev.courier.mqtt.auth.internal.acl.TopicRule;
import dev.courier.mqtt.auth.internal.config.AuthConfig.AuthenticationMode;
import dev.courier.mqtt.auth.internal.config.AuthConfig.AuthorizationMode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuthConfigReaderTest {

  @Test
  void whenNoProperties_thenDefaults() {
    AuthConfigReader.Result result = AuthConfigReader.read(Map.of());

    assertThat(result.valid()).isTrue();
    assertThat(result.config()).isEqualTo(AuthConfig.defaults());
    assertThat(result.config().authentication()).isEqualTo(AuthenticationMode.OPTIONAL);
    assertThat(result.config().realm()).isEqualTo("karaf");
    assertThat(result.config().authorization()).isEqualTo(AuthorizationMode.NOT_REQUIRED);
    assertThat(result.config().adminRole()).isEqualTo("admin");
  }

  @Test
  void whenCfgStrings_thenParsedCaseInsensitively() {
    AuthConfigReader.Result result = AuthConfigReader.read(Map.of(
        "authentication", "required",
        "realm", " ldap ",
        "requiredRole", "mqtt",
        "authorization", "REQUIRED",
        "subscribeDenyMode", "covered",
        "loginTimeoutSeconds", "7",
        "maxLoginThreads", 8,
        "failedLoginDelayMillis", "100",
        "maxFailedLoginDelayMillis", 1000L));

    assertThat(result.problems()).isEmpty();
    AuthConfig config = result.config();
    assertThat(config.authentication()).isEqualTo(AuthenticationMode.REQUIRED);
    assertThat(config.realm()).isEqualTo("ldap");
    assertThat(config.requiredRole()).isEqualTo("mqtt");
    assertThat(config.authorization()).isEqualTo(AuthorizationMode.REQUIRED);
    assertThat(config.subscribeDenyMode()).isEqualTo(SubscribeDenyMode.COVERED);
    assertThat(config.loginTimeoutSeconds()).isEqualTo(7);
    assertThat(config.maxLoginThreads()).isEqualTo(8);
    assertThat(config.failedLoginDelayMillis()).isEqualTo(100);
    assertThat(config.maxFailedLoginDelayMillis()).isEqualTo(1000);
  }

  @Test
  void whenBadValues_thenEveryProblemNamesItsKey() {
    Map<String, Object> properties = new HashMap<>();
    properties.put("authentication", "MAYBE");
    properties.put("authorization", "yes");
    properties.put("subscribeDenyMode", "strict");
    properties.put("realm", " ");
    properties.put("loginTimeoutSeconds", "five");
    properties.put("maxLoginThreads", 0);
    properties.put("failedLoginDelayMillis", 3000);
    properties.put("maxFailedLoginDelayMillis", 1000);
    properties.put("maxPendingLogins", 2.5);

    List<String> problems = AuthConfigReader.read(properties).problems();

    assertThat(problems).anyMatch(p -> p.startsWith("authentication: 'MAYBE'"))
        .anyMatch(p -> p.startsWith("authorization: 'yes'"))
        .anyMatch(p -> p.startsWith("subscribeDenyMode: 'strict'"))
        .anyMatch(p -> p.startsWith("realm:"))
        .anyMatch(p -> p.startsWith("loginTimeoutSeconds: 'five'"))
        .anyMatch(p -> p.startsWith("maxLoginThreads: 0"))
        .anyMatch(p -> p.startsWith("maxPendingLogins: 2.5"))
        .anyMatch(p -> p.startsWith("maxFailedLoginDelayMillis: 1000 is below"));
  }

  @Test
  void whenRulesAsArray_thenEachParsed() {
    AuthConfigReader.Result result = AuthConfigReader.read(Map.of("rules", new String[] {
        "allow any both #", "deny any subscribe test/nosubscribe"}));

    assertThat(result.problems()).isEmpty();
    assertThat(result.config().rules()).extracting(TopicRule::filter)
        .containsExactly("#", "test/nosubscribe");
  }

  @Test
  void whenRulesAsCollection_thenEachParsed() {
    AuthConfigReader.Result result = AuthConfigReader.read(Map.of("rules",
        List.of("allow any both #")));

    assertThat(result.config().rules()).hasSize(1);
  }

  @Test
  void whenRulesAsOneStringWithSemicolonsAndNewlines_thenSplit() {
    AuthConfigReader.Result result = AuthConfigReader.read(Map.of("rules",
        "allow any both #; deny any subscribe test/nosubscribe\n allow role:a publish x ;"));

    assertThat(result.problems()).isEmpty();
    assertThat(result.config().rules()).extracting(TopicRule::filter)
        .containsExactly("#", "test/nosubscribe", "x");
  }

  @Test
  void whenIndexedRuleKeys_thenMergedWithRules() {
    AuthConfigReader.Result result = AuthConfigReader.read(Map.of(
        "rules", "allow any both #",
        "rule.2", "deny any subscribe b",
        "rule.1", "deny any subscribe a"));

    assertThat(result.problems()).isEmpty();
    assertThat(result.config().rules()).extracting(TopicRule::filter)
        .containsExactly("#", "a", "b");
  }

  @Test
  void whenRuleIsBad_thenProblemNamesKeyEntryAndText() {
    List<String> problems = AuthConfigReader.read(Map.of(
        "rules", "allow any both #; alow any both x",
        "rule.7", "allow any write y")).problems();

    assertThat(problems).containsExactly(
        "rules[2]: 'alow any both x': unknown effect 'alow', expected allow or deny",
        "rule.7: 'allow any write y': unknown action 'write', expected publish, subscribe or"
            + " both");
  }

  @Test
  void whenRulesWrittenAsBracketListInPlainCfg_thenRejectedWithHint() {
    List<String> problems = AuthConfigReader.read(Map.of(
        "rules", "[ \"allow any both #\", \"deny any subscribe a\" ]")).problems();

    assertThat(problems).singleElement().asString().startsWith("rules: a [ ... ] list");
  }

  @Test
  void whenScramCredentialsFileIsSet_thenItIsThePathOfTheScramUsers() {
    AuthConfig config = AuthConfigReader.read(Map.of(
        "scramCredentialsFile", " etc/courier-scram.properties ")).config();

    assertThat(config.scramCredentialsFile()).isEqualTo("etc/courier-scram.properties");
    assertThat(config.scramFile()).hasToString("etc/courier-scram.properties");
    assertThat(AuthConfig.defaults().scramFile()).as("off by default").isNull();
  }

  @Test
  void whenScramCredentialsFileIsNoPath_thenRejectedNamingTheKey() {
    List<String> problems = AuthConfigReader.read(Map.of(
        "scramCredentialsFile", "bad\u0000name")).problems();

    assertThat(problems).singleElement().asString().startsWith("scramCredentialsFile: ");
  }
}
