package dev.courier.mqtt.auth.internal.scram;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the lines of a SCRAM credentials file:
 *
 * <pre>
 * # comment
 * user = SCRAM-SHA-256$4096:&lt;salt&gt;$&lt;StoredKey&gt;:&lt;ServerKey&gt;, role1, role2
 * </pre>
 *
 * The user name is what comes before the first {@code =} (so it cannot contain one), trimmed; roles
 * are optional. A line that cannot be read is reported by number and skipped; so is a second line
 * for the same user. Problems never repeat a secret.
 */
public final class ScramCredentials {

  /**
   * The users of the file, and its problems.
   *
   * @param users by name
   * @param problems one per bad line: {@code line N: ...}
   */
  public record Result(Map<String, ScramUser> users, List<String> problems) {
    /** Copies. */
    public Result {
      users = Map.copyOf(users);
      problems = List.copyOf(problems);
    }
  }

  private ScramCredentials() {}

  /** Reads {@code lines}. */
  public static Result parse(List<String> lines) {
    Map<String, ScramUser> users = new HashMap<>();
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      try {
        ScramUser user = user(line);
        if (users.putIfAbsent(user.name(), user) != null) {
          problems.add("line " + (i + 1) + ": user '" + user.name()
              + "' appears again; the first line counts");
        }
      } catch (IllegalArgumentException e) {
        problems.add("line " + (i + 1) + ": " + e.getMessage());
      }
    }
    return new Result(users, problems);
  }

  private static ScramUser user(String line) {
    int equals = line.indexOf('=');
    if (equals <= 0) {
      throw new IllegalArgumentException("not 'user = SCRAM-SHA-256$..., roles'");
    }
    String name = line.substring(0, equals).strip();
    String[] values = line.substring(equals + 1).split(",");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("no user name");
    }
    ScramSecret secret;
    try {
      secret = ScramSecret.parse(values[0].strip());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("user '" + name + "': secret " + e.getMessage());
    }
    Set<String> roles = new LinkedHashSet<>();
    for (int i = 1; i < values.length; i++) {
      if (!values[i].isBlank()) {
        roles.add(values[i].strip());
      }
    }
    return new ScramUser(name, secret, roles);
  }
}
