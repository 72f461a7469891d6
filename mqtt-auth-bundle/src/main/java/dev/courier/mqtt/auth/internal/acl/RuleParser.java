package dev.courier.mqtt.auth.internal.acl;

import dev.courier.mqtt.auth.internal.acl.TopicRule.Action;
import dev.courier.mqtt.auth.internal.acl.TopicRule.Effect;
import dev.courier.mqtt.auth.internal.acl.TopicRule.Subject;
import dev.courier.mqtt.transport.spi.topic.TopicFilters;
import java.util.List;
import java.util.Locale;

/**
 * Parses authorization rules. One rule is four whitespace-separated parts:
 *
 * <pre>
 *   &lt;allow|deny&gt; &lt;role:NAME|user:NAME|anonymous|any&gt; &lt;publish|subscribe|both&gt; &lt;topic-filter&gt;
 *
 *   allow role:sensors publish sensors/%c/#     a client of role "sensors" publishes under its id
 *   allow user:alice   both    home/#
 *   allow anonymous    subscribe public/+
 *   deny  any          subscribe test/nosubscribe
 * </pre>
 *
 * Keywords are case-insensitive; role and user names are case-sensitive. The topic filter is the
 * rest of the line (so it may contain spaces) and is an MQTT filter ({@code +} alone in a level,
 * {@code #} alone in the last level) in which {@code %u} stands for the user name and {@code %c}
 * for the client id. Stateless.
 */
public final class RuleParser {

  private RuleParser() {}

  /** A rule that cannot be parsed; the message says why, quoting the offending part. */
  public static final class RuleSyntaxException extends Exception {
    private static final long serialVersionUID = 1L;

    RuleSyntaxException(String message) {
      super(message);
    }
  }

  /**
   * Parses one rule.
   *
   * @param line the rule text
   * @return the rule
   * @throws RuleSyntaxException naming what is wrong
   */
  public static TopicRule parse(String line) throws RuleSyntaxException {
    String text = line == null ? "" : line.strip();
    String[] parts = text.split("\\s+", 4);
    if (parts.length < 4 || parts[3].isBlank()) {
      throw new RuleSyntaxException("expected '<allow|deny> <role:NAME|user:NAME|anonymous|any>"
          + " <publish|subscribe|both> <topic-filter>'");
    }
    Effect effect = switch (parts[0].toLowerCase(Locale.ROOT)) {
      case "allow" -> Effect.ALLOW;
      case "deny" -> Effect.DENY;
      default -> throw new RuleSyntaxException(
          "unknown effect '" + parts[0] + "', expected allow or deny");
    };
    String who = parts[1];
    String lower = who.toLowerCase(Locale.ROOT);
    Subject subject;
    String name = "";
    if (lower.startsWith("role:") || lower.startsWith("user:")) {
      subject = lower.startsWith("role:") ? Subject.ROLE : Subject.USER;
      name = who.substring(5);
      if (name.isEmpty()) {
        throw new RuleSyntaxException("'" + who + "' names no " + lower.substring(0, 4));
      }
    } else if (lower.equals("anonymous")) {
      subject = Subject.ANONYMOUS;
    } else if (lower.equals("any")) {
      subject = Subject.ANY;
    } else {
      throw new RuleSyntaxException("unknown subject '" + who
          + "', expected role:NAME, user:NAME, anonymous or any");
    }
    Action action = switch (parts[2].toLowerCase(Locale.ROOT)) {
      case "publish" -> Action.PUBLISH;
      case "subscribe" -> Action.SUBSCRIBE;
      case "both" -> Action.BOTH;
      default -> throw new RuleSyntaxException(
          "unknown action '" + parts[2] + "', expected publish, subscribe or both");
    };
    String filter = parts[3].strip();
    String problem = filterProblem(filter);
    if (problem != null) {
      throw new RuleSyntaxException("topic filter '" + filter + "' " + problem);
    }
    return new TopicRule(effect, subject, name, action, filter, text);
  }

  /**
   * Why a filter is not a valid MQTT topic filter (section 4.7, the rules of {@link
   * TopicFilters#isValidFilter}), or null if it is.
   */
  static String filterProblem(String filter) {
    if (filter.isEmpty()) {
      return "is empty";
    }
    if (filter.indexOf('\u0000') >= 0) {
      return "contains U+0000";
    }
    List<String> levels = TopicFilters.levels(filter);
    for (int i = 0; i < levels.size(); i++) {
      String level = levels.get(i);
      if (level.contains("#") && (!level.equals("#") || i != levels.size() - 1)) {
        return "uses '#' other than as the whole last level [MQTT-4.7.1-2]";
      }
      if (level.contains("+") && !level.equals("+")) {
        return "uses '+' other than as a whole level [MQTT-4.7.1-3]";
      }
    }
    if (!TopicFilters.isValidFilter(filter)) {
      // What is left: the string rules no topic a client names can break.
      return "is not well-formed UTF-8 of at most " + TopicFilters.MAX_UTF8_BYTES
          + " bytes [MQTT-1.5.3-1] [MQTT-4.7.3-3]";
    }
    return null;
  }
}
