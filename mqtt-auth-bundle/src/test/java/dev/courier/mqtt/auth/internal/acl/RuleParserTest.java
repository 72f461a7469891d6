package dev.courier.mqtt.auth.internal.acl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.courier.mqtt.auth.internal.acl.TopicRule.Action;
import dev.courier.mqtt.auth.internal.acl.TopicRule.Effect;
import dev.courier.mqtt.auth.internal.acl.TopicRule.Subject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class RuleParserTest {

  @Test
  void whenRoleRule_thenAllPartsParsed() throws Exception {
    TopicRule rule = RuleParser.parse("  allow role:sensors publish sensors/%c/#  ");

    assertThat(rule.effect()).isEqualTo(Effect.ALLOW);
    assertThat(rule.subject()).isEqualTo(Subject.ROLE);
    assertThat(rule.subjectName()).isEqualTo("sensors");
    assertThat(rule.action()).isEqualTo(Action.PUBLISH);
    assertThat(rule.filter()).isEqualTo("sensors/%c/#");
    assertThat(rule.hasPlaceholders()).isTrue();
    assertThat(rule.source()).isEqualTo("allow role:sensors publish sensors/%c/#");
  }

  @Test
  void whenKeywordsInUpperCase_thenAcceptedButNamesKeepCase() throws Exception {
    TopicRule rule = RuleParser.parse("DENY User:Alice BOTH home/#");

    assertThat(rule.effect()).isEqualTo(Effect.DENY);
    assertThat(rule.subject()).isEqualTo(Subject.USER);
    assertThat(rule.subjectName()).isEqualTo("Alice");
    assertThat(rule.action()).isEqualTo(Action.BOTH);
  }

  @Test
  void whenAnonymousAndAny_thenParsed() throws Exception {
    assertThat(RuleParser.parse("allow anonymous subscribe public/+").subject())
        .isEqualTo(Subject.ANONYMOUS);
    assertThat(RuleParser.parse("deny any subscribe test/nosubscribe").subject())
        .isEqualTo(Subject.ANY);
  }

  @Test
  void whenFilterHasSpaces_thenRestOfLineIsTheFilter() throws Exception {
    assertThat(RuleParser.parse("allow any publish my topic/with spaces").filter())
        .isEqualTo("my topic/with spaces");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "allow any publish                  | expected",
      "permit any publish a               | unknown effect 'permit'",
      "allow everyone publish a           | unknown subject 'everyone'",
      "allow role: publish a              | names no role",
      "allow user: publish a              | names no user",
      "allow any read a                   | unknown action 'read'",
      "allow any publish a/#/b            | '#'",
      "allow any publish a#               | '#'",
      "allow any publish a/b+             | '+'",
  })
  void whenLineIsBad_thenErrorSaysWhy(String line, String expected) {
    assertThatThrownBy(() -> RuleParser.parse(line))
        .isInstanceOf(RuleParser.RuleSyntaxException.class)
        .hasMessageContaining(expected);
  }

  @Test
  void whenFilterIsNoWellFormedMqttString_thenError() {
    // [MQTT-1.5.3-1] an unpaired surrogate, [MQTT-4.7.3-3] more than 65535 UTF-8 bytes: no topic
    // a client can name, so the rule is an operator's mistake, not a rule that never applies.
    assertThatThrownBy(() -> RuleParser.parse("allow any publish a/\uD800/b"))
        .isInstanceOf(RuleParser.RuleSyntaxException.class).hasMessageContaining("UTF-8");
    assertThatThrownBy(() -> RuleParser.parse("allow any publish " + "€".repeat(21_846)))
        .isInstanceOf(RuleParser.RuleSyntaxException.class).hasMessageContaining("65535");
  }

  @Test
  void whenLineIsEmpty_thenError() {
    assertThatThrownBy(() -> RuleParser.parse(""))
        .isInstanceOf(RuleParser.RuleSyntaxException.class);
    assertThatThrownBy(() -> RuleParser.parse(null))
        .isInstanceOf(RuleParser.RuleSyntaxException.class);
  }
}
