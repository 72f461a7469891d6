package dev.courier.mqtt.auth.internal.acl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.auth.internal.acl.TopicPolicy.SubscribeDenyMode;
import dev.courier.mqtt.transport.spi.auth.ClientIdentity;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TopicPolicyTest {

  private static final ClientIdentity ANONYMOUS = ClientIdentity.anonymous("anon-1");
  private static final ClientIdentity ALICE =
      new ClientIdentity("alice-phone", "alice", Set.of("users"));
  private static final ClientIdentity BOB = new ClientIdentity("bob-1", "bob", Set.of("writers"));
  private static final ClientIdentity ADMIN =
      new ClientIdentity("ops-1", "karaf", Set.of("admin", "users"));

  private static TopicPolicy rules(SubscribeDenyMode mode, String... lines) throws Exception {
    List<TopicRule> rules = new ArrayList<>();
    for (String line : lines) {
      rules.add(RuleParser.parse(line));
    }
    return new TopicPolicy(true, "admin", rules, mode);
  }

  private static TopicPolicy rules(String... lines) throws Exception {
    return rules(SubscribeDenyMode.OVERLAP, lines);
  }

  @Test
  void whenRulesNotRequired_thenEverythingButSysIsOpen() {
    TopicPolicy open = new TopicPolicy(false, "admin", List.of(), SubscribeDenyMode.OVERLAP);

    assertThat(open.mayPublish(ANONYMOUS, "a/b")).isTrue();
    assertThat(open.maySubscribe(ANONYMOUS, "#")).isTrue();
    assertThat(open.maySubscribe(ALICE, "$SYS/#")).isFalse();
    assertThat(open.maySubscribe(ALICE, "$SYS/broker/clients")).isFalse();
    assertThat(open.mayPublish(ALICE, "$SYS/broker/clients")).isFalse();
    assertThat(open.maySubscribe(ADMIN, "$SYS/#")).isTrue();
    assertThat(open.maySubscribe(ALICE, "$other/x")).isTrue();
  }

  @Test
  void whenRulesRequiredAndNoneMatch_thenDenied() throws Exception {
    TopicPolicy policy = rules("allow user:alice both home/#");

    assertThat(policy.mayPublish(BOB, "home/x")).isFalse();
    assertThat(policy.maySubscribe(BOB, "home/x")).isFalse();
    assertThat(policy.mayPublish(ALICE, "office/x")).isFalse();
  }

  @Test
  void whenRoleRulesSplitPublishAndSubscribe_thenEachOnlyTheirs() throws Exception {
    TopicPolicy policy = rules(
        "allow role:writers publish data/#",
        "allow role:users subscribe data/#");

    assertThat(policy.mayPublish(BOB, "data/1")).isTrue();
    assertThat(policy.maySubscribe(BOB, "data/1")).isFalse();
    assertThat(policy.mayPublish(ALICE, "data/1")).isFalse();
    assertThat(policy.maySubscribe(ALICE, "data/+")).isTrue();
  }

  @Test
  void whenDenyAndAllowBothMatch_thenDenyWins() throws Exception {
    TopicPolicy policy = rules(
        "allow any both #",
        "deny user:bob publish secret/#");

    assertThat(policy.mayPublish(BOB, "secret/plans")).isFalse();
    assertThat(policy.mayPublish(ALICE, "secret/plans")).isTrue();
  }

  @Test
  void whenSubscribeRequestWiderThanAllowRule_thenDenied() throws Exception {
    TopicPolicy policy = rules("allow any subscribe sensors/#");

    assertThat(policy.maySubscribe(ALICE, "sensors/+/temp")).isTrue();
    assertThat(policy.maySubscribe(ALICE, "sensors")).isTrue();
    assertThat(policy.maySubscribe(ALICE, "#")).isFalse();
    assertThat(policy.maySubscribe(ALICE, "+/temp")).isFalse();
  }

  @Test
  void whenDenyOverlapsWildcardRequestInOverlapMode_thenDenied() throws Exception {
    TopicPolicy policy = rules("allow any both #", "deny any subscribe test/nosubscribe");

    assertThat(policy.maySubscribe(ANONYMOUS, "test/nosubscribe")).isFalse();
    assertThat(policy.maySubscribe(ANONYMOUS, "test/+")).isFalse();
    assertThat(policy.maySubscribe(ANONYMOUS, "+/+")).isFalse();
    assertThat(policy.maySubscribe(ANONYMOUS, "#")).isFalse();
    assertThat(policy.maySubscribe(ANONYMOUS, "TopicA/+")).isTrue();
    assertThat(policy.mayPublish(ANONYMOUS, "test/nosubscribe")).isTrue();
  }

  @Test
  void whenDenyInCoveredMode_thenOnlyFiltersInsideTheDenyAreRefused() throws Exception {
    TopicPolicy policy = rules(SubscribeDenyMode.COVERED,
        "allow any both #", "deny any subscribe test/nosubscribe");

    assertThat(policy.maySubscribe(ANONYMOUS, "test/nosubscribe")).isFalse();
    assertThat(policy.maySubscribe(ANONYMOUS, "test/+")).isTrue();
    assertThat(policy.maySubscribe(ANONYMOUS, "+/+")).isTrue();
    assertThat(policy.maySubscribe(ANONYMOUS, "#")).isTrue();
  }

  @Test
  void whenPahoInteropRules_thenOnlyNoSubscribeTopicIsRefused() throws Exception {
    TopicPolicy policy = rules(SubscribeDenyMode.COVERED,
        "allow any both #", "deny any subscribe test/nosubscribe");

    for (String filter : List.of("TopicA/+", "+/C", "#", "/#", "/+", "+/+", "TopicA/#",
        "TopicA", "TopicA/B", "Topic/C", "TopicA/C", "/TopicA")) {
      assertThat(policy.maySubscribe(ClientIdentity.anonymous("myclientid"), filter))
          .as(filter).isTrue();
    }
    assertThat(policy.mayPublish(ClientIdentity.anonymous("myclientid"), "$TopicA/B")).isFalse();
  }

  @Test
  void whenUserPlaceholder_thenOwnTreeOnly() throws Exception {
    TopicPolicy policy = rules("allow role:users both users/%u/#");

    assertThat(policy.mayPublish(ALICE, "users/alice/inbox")).isTrue();
    assertThat(policy.maySubscribe(ALICE, "users/alice/#")).isTrue();
    assertThat(policy.mayPublish(ALICE, "users/bob/inbox")).isFalse();
    assertThat(policy.maySubscribe(ALICE, "users/+/inbox")).isFalse();
  }

  @Test
  void whenClientIdPlaceholder_thenOwnTopicOnly() throws Exception {
    TopicPolicy policy = rules("allow any publish devices/%c/status");

    assertThat(policy.mayPublish(ANONYMOUS, "devices/anon-1/status")).isTrue();
    assertThat(policy.mayPublish(ANONYMOUS, "devices/other/status")).isFalse();
  }

  @Test
  void whenSubstitutedValueHasWildcardsOrSlash_thenAllowRuleDoesNotApply() throws Exception {
    TopicPolicy policy = rules("allow any both users/%u/#", "allow any publish dev/%c");

    for (String name : List.of("+", "#", "a/b", "x+y")) {
      ClientIdentity sneaky = new ClientIdentity(name, name, Set.of());
      assertThat(policy.mayPublish(sneaky, "users/anything/x")).as(name).isFalse();
      assertThat(policy.maySubscribe(sneaky, "users/a/b/#")).as(name).isFalse();
      assertThat(policy.mayPublish(sneaky, "dev/a/b")).as(name).isFalse();
    }
  }

  @Test
  void whenUserPlaceholderAndAnonymous_thenAllowRuleDoesNotApply() throws Exception {
    TopicPolicy policy = rules("allow any both users/%u/#");

    assertThat(policy.mayPublish(ANONYMOUS, "users//x")).isFalse();
    assertThat(policy.mayPublish(ANONYMOUS, "users/x")).isFalse();
  }

  @Test
  void whenDenyPlaceholderValueIsUnsafe_thenDenyIsWidened() throws Exception {
    TopicPolicy policy = rules("allow any both #", "deny any publish private/%u/secret");

    ClientIdentity slash = new ClientIdentity("c", "a/b", Set.of());
    assertThat(policy.mayPublish(slash, "private/a/b/secret")).isFalse();
    assertThat(policy.mayPublish(slash, "private/other")).isFalse();
    assertThat(policy.mayPublish(slash, "public/x")).isTrue();
    assertThat(policy.mayPublish(ALICE, "private/alice/secret")).isFalse();
    assertThat(policy.mayPublish(ALICE, "private/bob/secret")).isTrue();
    assertThat(TopicPolicy.widened("private/%u/secret")).isEqualTo("private/#");
    assertThat(TopicPolicy.widened("%c/x")).isEqualTo("#");
  }

  @Test
  void whenUserNameContainsClientPlaceholder_thenNotSubstitutedTwice() throws Exception {
    TopicPolicy policy = rules("allow any publish u/%u");
    ClientIdentity odd = new ClientIdentity("cid", "x%c", Set.of());

    assertThat(policy.mayPublish(odd, "u/x%c")).isTrue();
    assertThat(policy.mayPublish(odd, "u/xcid")).isFalse();
  }

  @Test
  void whenAnonymousRule_thenOnlyAnonymousClients() throws Exception {
    TopicPolicy policy = rules("allow anonymous subscribe public/#");

    assertThat(policy.maySubscribe(ANONYMOUS, "public/news")).isTrue();
    assertThat(policy.maySubscribe(ALICE, "public/news")).isFalse();
  }

  @Test
  void whenSysFilterAndRulesRequired_thenAdminOnlyAndDenyStillApplies() throws Exception {
    TopicPolicy policy = rules("allow any both #");

    assertThat(policy.maySubscribe(ALICE, "$SYS/#")).isFalse();
    assertThat(policy.maySubscribe(ADMIN, "$SYS/#")).isTrue();
    assertThat(policy.maySubscribe(ADMIN, "#")).isTrue();

    TopicPolicy denied = rules("deny role:admin subscribe $SYS/broker/#");
    assertThat(denied.maySubscribe(ADMIN, "$SYS/#")).isFalse();
    assertThat(denied.maySubscribe(ADMIN, "$SYS/other")).isTrue();
  }

  @Test
  void whenWildcardAllowRule_thenDollarTopicsAreNotCovered() throws Exception {
    TopicPolicy policy = rules("allow any both #");

    assertThat(policy.mayPublish(ALICE, "$other/x")).isFalse();
    assertThat(policy.maySubscribe(ALICE, "$other/x")).isFalse();
    assertThat(rules("allow any both $other/#").maySubscribe(ALICE, "$other/x")).isTrue();
  }
}
