package dev.courier.mqtt.auth.internal.acl;

import dev.courier.mqtt.auth.internal.acl.TopicRule.Effect;
import dev.courier.mqtt.transport.spi.auth.ClientIdentity;
import dev.courier.mqtt.transport.spi.topic.TopicFilters;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The topic decisions of one configuration: immutable, computed in memory, safe from any thread.
 *
 * <p>Always enforced: a {@code $SYS} topic or filter (one starting with {@code $SYS}) is open only
 * to clients holding the admin role. With rules not required everything else is allowed. With rules
 * required, deny rules win over allow rules and what no rule allows is denied:
 *
 * <ul>
 *   <li>PUBLISH: a rule applies when its filter matches the topic name.
 *   <li>SUBSCRIBE: allowed when an allow rule's filter covers the requested filter (every topic it
 *       can match, the rule matches too: {@code sensors/#} covers {@code sensors/+/temp}); refused
 *       when a deny rule's filter overlaps it ({@link SubscribeDenyMode#OVERLAP}, the default) or
 *       covers it ({@link SubscribeDenyMode#COVERED}). An admin's {@code $SYS} filter needs no allow
 *       rule but deny rules still apply.
 * </ul>
 *
 * <p>Placeholders: {@code %u} is replaced by the user name and {@code %c} by the client id before
 * matching. A value that could widen the match (it contains {@code +}, {@code #} or {@code /}, or is
 * missing or empty, as {@code %u} is for anonymous clients) is not substituted: an allow rule then
 * does not apply, and a deny rule is widened to {@code #} from the level holding the placeholder
 * (so it denies at least what it meant to).
 */
public final class TopicPolicy {

  private static final String SYS = "$SYS";

  private final boolean rulesRequired;
  private final String adminRole;
  private final List<TopicRule> rules;
  private final SubscribeDenyMode denyMode;

  /** How deny rules meet wildcard subscriptions. */
  public enum SubscribeDenyMode {
    /**
     * Refuse a filter that could receive any denied topic: with {@code deny any subscribe a/b},
     * {@code a/+} and {@code #} are refused too. Safe, but wildcard subscribers lose everything.
     */
    OVERLAP,
    /**
     * Refuse only a filter wholly inside a deny rule's filter: {@code a/b} and (for {@code deny any
     * subscribe a/#}) {@code a/+} are refused, but {@code #} is allowed and receives {@code a/b}.
     */
    COVERED
  }

  /**
   * Creates a policy.
   *
   * @param rulesRequired whether rules are evaluated (authorization REQUIRED)
   * @param adminRole the role that may use {@code $SYS}
   * @param rules the parsed rules
   * @param denyMode how deny rules meet wildcard subscriptions
   */
  public TopicPolicy(boolean rulesRequired, String adminRole, List<TopicRule> rules,
      SubscribeDenyMode denyMode) {
    this.rulesRequired = rulesRequired;
    this.adminRole = Objects.requireNonNull(adminRole, "adminRole");
    this.rules = List.copyOf(rules);
    this.denyMode = Objects.requireNonNull(denyMode, "denyMode");
  }

  /**
   * May this client publish to this topic?
   *
   * @param who the client
   * @param topic a valid topic name
   * @return true to allow
   */
  public boolean mayPublish(ClientIdentity who, String topic) {
    if (topic.startsWith(SYS)) {
      // Clients must not forge the broker's own status topics.
      return isAdmin(who) && (!rulesRequired || !denied(who, topic, true));
    }
    if (!rulesRequired) {
      return true;
    }
    if (denied(who, topic, true)) {
      return false;
    }
    for (TopicRule rule : rules) {
      if (rule.effect() == Effect.ALLOW && rule.action().publish() && appliesTo(rule, who)) {
        Optional<String> filter = resolve(rule, who);
        if (filter.isPresent() && TopicFilters.matches(filter.get(), topic)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * May this client subscribe to this filter?
   *
   * @param who the client
   * @param filter a valid topic filter
   * @return true to allow
   */
  public boolean maySubscribe(ClientIdentity who, String filter) {
    if (filter.startsWith(SYS)) {
      return isAdmin(who) && (!rulesRequired || !denied(who, filter, false));
    }
    if (!rulesRequired) {
      return true;
    }
    if (denied(who, filter, false)) {
      return false;
    }
    for (TopicRule rule : rules) {
      if (rule.effect() == Effect.ALLOW && rule.action().subscribe() && appliesTo(rule, who)) {
        Optional<String> allowed = resolve(rule, who);
        if (allowed.isPresent() && TopicFilters.covers(allowed.get(), filter)) {
          return true;
        }
      }
    }
    return false;
  }

  private boolean denied(ClientIdentity who, String topicOrFilter, boolean publish) {
    for (TopicRule rule : rules) {
      if (rule.effect() != Effect.DENY || !appliesTo(rule, who)
          || !(publish ? rule.action().publish() : rule.action().subscribe())) {
        continue;
      }
      String deny = resolve(rule, who).orElseGet(() -> widened(rule.filter()));
      boolean hit;
      if (publish) {
        hit = TopicFilters.matches(deny, topicOrFilter);
      } else if (denyMode == SubscribeDenyMode.OVERLAP) {
        hit = TopicFilters.overlaps(deny, topicOrFilter);
      } else {
        hit = TopicFilters.covers(deny, topicOrFilter);
      }
      if (hit) {
        return true;
      }
    }
    return false;
  }

  private boolean isAdmin(ClientIdentity who) {
    return who.roles().contains(adminRole);
  }

  private static boolean appliesTo(TopicRule rule, ClientIdentity who) {
    return switch (rule.subject()) {
      case ANY -> true;
      case ANONYMOUS -> who.isAnonymous();
      case USER -> rule.subjectName().equals(who.username());
      case ROLE -> who.roles().contains(rule.subjectName());
    };
  }

  /**
   * The rule's filter with placeholders substituted, or empty if a value is unsafe to substitute.
   */
  static Optional<String> resolve(TopicRule rule, ClientIdentity who) {
    if (!rule.hasPlaceholders()) {
      return Optional.of(rule.filter());
    }
    String user = who.username();
    String client = who.clientId();
    if (rule.filter().contains("%u") && !safe(user)
        || rule.filter().contains("%c") && !safe(client)) {
      return Optional.empty();
    }
    // One pass, so that a '%c' inside a user name is not substituted again.
    String filter = rule.filter();
    StringBuilder out = new StringBuilder(filter.length() + 16);
    for (int i = 0; i < filter.length(); i++) {
      char ch = filter.charAt(i);
      if (ch == '%' && i + 1 < filter.length() && (filter.charAt(i + 1) == 'u'
          || filter.charAt(i + 1) == 'c')) {
        out.append(filter.charAt(++i) == 'u' ? user : client);
      } else {
        out.append(ch);
      }
    }
    return Optional.of(out.toString());
  }

  /** A deny filter cut at its first placeholder level and ended with '#': a superset. */
  static String widened(String filter) {
    StringBuilder prefix = new StringBuilder();
    for (String level : TopicFilters.levels(filter)) {
      if (level.contains("%u") || level.contains("%c")) {
        break;
      }
      prefix.append(level).append('/');
    }
    return prefix.append('#').toString();
  }

  /** Whether a value can stand in a filter level without widening what it matches. */
  private static boolean safe(String value) {
    return value != null && !value.isEmpty() && value.indexOf('+') < 0 && value.indexOf('#') < 0
        && value.indexOf('/') < 0 && value.indexOf('\u0000') < 0;
  }
}
