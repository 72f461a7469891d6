package dev.courier.mqtt.auth.internal.acl;

import java.util.Objects;

/**
 * One parsed authorization rule, as written by an operator (see {@link RuleParser} for the syntax).
 *
 * @param effect allow or deny
 * @param subject whom the rule is about
 * @param subjectName the role or user name for {@link Subject#ROLE} / {@link Subject#USER}; empty
 *     otherwise
 * @param action what the rule is about
 * @param filter the topic filter, possibly with {@code %u} / {@code %c} placeholders
 * @param source the rule's text, for logs
 */
public record TopicRule(Effect effect, Subject subject, String subjectName, Action action,
    String filter, String source) {

  /** Allow or deny; deny rules win. */
  public enum Effect { ALLOW, DENY }

  /** Whom a rule applies to. */
  public enum Subject { ROLE, USER, ANONYMOUS, ANY }

  /** Which operations a rule applies to. */
  public enum Action {
    PUBLISH, SUBSCRIBE, BOTH;

    /** Whether this action includes publishing. */
    public boolean publish() {
      return this != SUBSCRIBE;
    }

    /** Whether this action includes subscribing. */
    public boolean subscribe() {
      return this != PUBLISH;
    }
  }

  /** Validates the arguments. */
  public TopicRule {
    Objects.requireNonNull(effect, "effect");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(filter, "filter");
    subjectName = subjectName == null ? "" : subjectName;
    source = source == null ? "" : source;
  }

  /** Whether the filter holds a {@code %u} or {@code %c} placeholder. */
  public boolean hasPlaceholders() {
    return filter.contains("%u") || filter.contains("%c");
  }
}
