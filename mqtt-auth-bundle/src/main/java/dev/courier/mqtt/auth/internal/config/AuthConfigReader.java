package dev.courier.mqtt.auth.internal.config;

import dev.courier.mqtt.auth.internal.acl.RuleParser;
import dev.courier.mqtt.auth.internal.acl.TopicPolicy.SubscribeDenyMode;
import dev.courier.mqtt.auth.internal.acl.TopicRule;
import dev.courier.mqtt.auth.internal.config.AuthConfig.AuthenticationMode;
import dev.courier.mqtt.auth.internal.config.AuthConfig.AuthorizationMode;
import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns ConfigurationAdmin properties (strings from {@code etc/dev.courier.mqtt.auth.cfg}, or typed
 * values from the API) into an {@link AuthConfig}, naming every key it cannot accept. Missing keys
 * take their defaults; unrelated keys are ignored.
 *
 * <p>Rules may be given three ways, all merged (order does not matter):
 *
 * <ul>
 *   <li>{@code rules} as a string array or collection (ConfigurationAdmin API, {@code .json}
 *       configs, or a {@code .cfg} file written entirely in the typed format, see below);
 *   <li>{@code rules} as one string whose entries are separated by {@code ;} or line breaks: the
 *       simple form for a plain {@code .cfg} file, continued over lines with a trailing {@code \};
 *   <li>indexed keys {@code rule.<anything>}, one rule each (handy with {@code config:property-set}).
 * </ul>
 *
 * A plain {@code .cfg} value {@code [ "a", "b" ]} is NOT an array: Felix's typed format applies only
 * when every value in the file is typed (quoted), so the list form is one string and is rejected.
 */
public final class AuthConfigReader {

  /** The key of the rule list. */
  public static final String RULES = "rules";
  /** The prefix of indexed rule keys. */
  public static final String RULE_PREFIX = "rule.";

  /** The result: a config when {@code problems} is empty. */
  public record Result(AuthConfig config, List<String> problems) {
    /** Whether the properties were all acceptable. */
    public boolean valid() {
      return problems.isEmpty();
    }
  }

  private AuthConfigReader() {}

  /**
   * Reads and validates.
   *
   * @param properties the component properties
   * @return the config and the problems found (each names its key)
   */
  public static Result read(Map<String, ?> properties) {
    AuthConfig d = AuthConfig.defaults();
    List<String> problems = new ArrayList<>();
    AuthConfig config = new AuthConfig(
        enumValue(properties, "authentication", AuthenticationMode.class, d.authentication(),
            problems),
        string(properties, "realm", d.realm()),
        string(properties, "requiredRole", d.requiredRole()),
        enumValue(properties, "authorization", AuthorizationMode.class, d.authorization(),
            problems),
        string(properties, "adminRole", d.adminRole()),
        rules(properties, problems),
        enumValue(properties, "subscribeDenyMode", SubscribeDenyMode.class,
            d.subscribeDenyMode(), problems),
        (int) number(properties, "loginTimeoutSeconds", d.loginTimeoutSeconds(), problems),
        (int) number(properties, "maxLoginThreads", d.maxLoginThreads(), problems),
        (int) number(properties, "maxPendingLogins", d.maxPendingLogins(), problems),
        number(properties, "failedLoginDelayMillis", d.failedLoginDelayMillis(), problems),
        number(properties, "maxFailedLoginDelayMillis", d.maxFailedLoginDelayMillis(), problems),
        string(properties, "scramCredentialsFile", d.scramCredentialsFile()));
    problems.addAll(config.problems());
    return new Result(config, List.copyOf(problems));
  }

  private static List<TopicRule> rules(Map<String, ?> properties, List<String> problems) {
    List<TopicRule> rules = new ArrayList<>();
    Object value = properties.get(RULES);
    if (value != null) {
      List<String> entries = new ArrayList<>();
      if (value instanceof Collection<?> collection) {
        collection.forEach(entry -> entries.add(String.valueOf(entry)));
      } else if (value.getClass().isArray()) {
        for (int i = 0; i < Array.getLength(value); i++) {
          entries.add(String.valueOf(Array.get(value, i)));
        }
      } else if (value.toString().strip().startsWith("[")) {
        problems.add(RULES + ": a [ ... ] list in a plain .cfg file is one string, not a list;"
            + " separate rules with ';' or use rule.1, rule.2, ... keys");
      } else {
        for (String entry : value.toString().split("[;\\r\\n]")) {
          if (!entry.isBlank()) {
            entries.add(entry);
          }
        }
      }
      for (int i = 0; i < entries.size(); i++) {
        parse(RULES + "[" + (i + 1) + "]", entries.get(i), rules, problems);
      }
    }
    // Indexed keys, in key order so that problems are reported in a stable order.
    Map<String, Object> indexed = new TreeMap<>();
    properties.forEach((key, v) -> {
      if (key.startsWith(RULE_PREFIX) && v != null) {
        indexed.put(key, v);
      }
    });
    indexed.forEach((key, v) -> parse(key, v.toString(), rules, problems));
    return rules;
  }

  private static void parse(String key, String text, List<TopicRule> rules,
      List<String> problems) {
    try {
      rules.add(RuleParser.parse(text));
    } catch (RuleParser.RuleSyntaxException e) {
      problems.add(key + ": '" + text.strip() + "': " + e.getMessage());
    }
  }

  private static String string(Map<String, ?> properties, String key, String fallback) {
    Object value = properties.get(key);
    return value == null ? fallback : value.toString().trim();
  }

  private static <E extends Enum<E>> E enumValue(Map<String, ?> properties, String key,
      Class<E> type, E fallback, List<String> problems) {
    Object value = properties.get(key);
    if (value == null) {
      return fallback;
    }
    String text = value.toString().trim();
    for (E constant : type.getEnumConstants()) {
      if (constant.name().equals(text.toUpperCase(Locale.ROOT))) {
        return constant;
      }
    }
    List<String> names = new ArrayList<>();
    for (E constant : type.getEnumConstants()) {
      names.add(constant.name());
    }
    problems.add(key + ": '" + text + "' is not one of " + String.join(", ", names));
    return fallback;
  }

  private static long number(Map<String, ?> properties, String key, long fallback,
      List<String> problems) {
    Object value = properties.get(key);
    if (value == null) {
      return fallback;
    }
    if (value instanceof Number n) {
      long l = n.longValue();
      if (l != n.doubleValue() || l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) {
        problems.add(key + ": " + value + " is not a whole number in range");
        return fallback;
      }
      return l;
    }
    String text = value.toString().trim();
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      problems.add(key + ": '" + text + "' is not a whole number");
      return fallback;
    }
  }
}
