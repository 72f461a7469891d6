package dev.courier.mqtt.auth.internal.config;

import dev.courier.mqtt.auth.internal.acl.TopicPolicy;
import dev.courier.mqtt.auth.internal.acl.TopicPolicy.SubscribeDenyMode;
import dev.courier.mqtt.auth.internal.acl.TopicRule;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The validated, immutable settings of PID {@code dev.courier.mqtt.auth}. Built once per
 * configuration by {@link AuthConfigReader} and swapped in atomically: a CONNECT or topic decision
 * uses the instance current when it starts.
 *
 * @param authentication whether a CONNECT must carry credentials
 * @param realm the Karaf JAAS realm to log in against
 * @param requiredRole a role every logged-in user must hold to connect; empty for none
 * @param authorization whether topic rules are evaluated
 * @param adminRole the role allowed to use {@code $SYS} topics
 * @param rules the topic rules (order does not matter: deny wins)
 * @param subscribeDenyMode how deny rules meet wildcard subscriptions
 * @param loginTimeoutSeconds a JAAS login not finished by then is refused
 * @param maxLoginThreads threads running JAAS logins
 * @param maxPendingLogins logins waiting for a thread; beyond it a CONNECT is refused
 * @param failedLoginDelayMillis the delay before answering the first failed login of a client id or
 *     address; doubled per further consecutive failure
 * @param maxFailedLoginDelayMillis the cap of that delay
 * @param scramCredentialsFile the SCRAM-SHA-256 credentials file (MQTT 5.0 enhanced
 *     authentication); empty: SCRAM is not offered
 */
public record AuthConfig(
    AuthenticationMode authentication,
    String realm,
    String requiredRole,
    AuthorizationMode authorization,
    String adminRole,
    List<TopicRule> rules,
    SubscribeDenyMode subscribeDenyMode,
    int loginTimeoutSeconds,
    int maxLoginThreads,
    int maxPendingLogins,
    long failedLoginDelayMillis,
    long maxFailedLoginDelayMillis,
    String scramCredentialsFile) {

  /** Whether credentials are needed to connect. */
  public enum AuthenticationMode { OPTIONAL, REQUIRED }

  /** Whether topic rules are evaluated. */
  public enum AuthorizationMode { NOT_REQUIRED, REQUIRED }

  /** Copies the rules. */
  public AuthConfig {
    rules = List.copyOf(rules);
    requiredRole = requiredRole == null ? "" : requiredRole;
    scramCredentialsFile = scramCredentialsFile == null ? "" : scramCredentialsFile;
  }

  /** Settings without a SCRAM credentials file. */
  public AuthConfig(AuthenticationMode authentication, String realm, String requiredRole,
      AuthorizationMode authorization, String adminRole, List<TopicRule> rules,
      SubscribeDenyMode subscribeDenyMode, int loginTimeoutSeconds, int maxLoginThreads,
      int maxPendingLogins, long failedLoginDelayMillis, long maxFailedLoginDelayMillis) {
    this(authentication, realm, requiredRole, authorization, adminRole, rules, subscribeDenyMode,
        loginTimeoutSeconds, maxLoginThreads, maxPendingLogins, failedLoginDelayMillis,
        maxFailedLoginDelayMillis, "");
  }

  /** The SCRAM credentials file, or null when SCRAM is not offered. */
  public Path scramFile() {
    return scramCredentialsFile.isEmpty() ? null : Path.of(scramCredentialsFile);
  }

  /** Settings with every default, as documented in the metatype. */
  public static AuthConfig defaults() {
    return new AuthConfig(AuthenticationMode.OPTIONAL, "karaf", "", AuthorizationMode.NOT_REQUIRED,
        "admin", List.of(), SubscribeDenyMode.OVERLAP, 5, 4, 64, 200, 5000);
  }

  /** The topic decisions these settings make. */
  public TopicPolicy topicPolicy() {
    return new TopicPolicy(authorization == AuthorizationMode.REQUIRED, adminRole, rules,
        subscribeDenyMode);
  }

  /**
   * Checks the ranges and reports all problems at once.
   *
   * @return the names and reasons of invalid keys, empty if the configuration is valid
   */
  public List<String> problems() {
    List<String> problems = new ArrayList<>();
    if (realm == null || realm.isBlank()) {
      problems.add("realm: must not be empty");
    }
    if (adminRole == null || adminRole.isBlank()) {
      problems.add("adminRole: must not be empty");
    }
    check(problems, "loginTimeoutSeconds", loginTimeoutSeconds, 1, 300);
    check(problems, "maxLoginThreads", maxLoginThreads, 1, 256);
    check(problems, "maxPendingLogins", maxPendingLogins, 0, 100_000);
    check(problems, "failedLoginDelayMillis", failedLoginDelayMillis, 0, 60_000);
    check(problems, "maxFailedLoginDelayMillis", maxFailedLoginDelayMillis, 0, 600_000);
    if (!scramCredentialsFile.isEmpty()) {
      try {
        Path.of(scramCredentialsFile);
      } catch (InvalidPathException e) {
        problems.add("scramCredentialsFile: '" + scramCredentialsFile + "' is not a path: "
            + e.getReason());
      }
    }
    if (maxFailedLoginDelayMillis < failedLoginDelayMillis) {
      problems.add("maxFailedLoginDelayMillis: " + maxFailedLoginDelayMillis
          + " is below failedLoginDelayMillis " + failedLoginDelayMillis);
    }
    return problems;
  }

  private static void check(List<String> problems, String key, long value, long min, long max) {
    if (value < min || value > max) {
      problems.add(key + ": " + value + " is outside [" + min + ", " + max + "]");
    }
  }
}
