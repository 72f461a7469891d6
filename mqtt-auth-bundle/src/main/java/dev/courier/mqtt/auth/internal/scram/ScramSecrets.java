package dev.courier.mqtt.auth.internal.scram;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Prints a line of the SCRAM credentials file for a user whose password is read from the console
 * (or, without one, the first line of standard input), so that the password itself is stored
 * nowhere:
 *
 * <pre>
 * java -cp mqtt-auth-bundle.jar dev.courier.mqtt.auth.internal.scram.ScramSecrets \
 *     [--iterations N] USER [ROLE ...] &gt;&gt; etc/courier-scram.properties
 * </pre>
 *
 * The salt is 16 random bytes; the iteration count is {@value ScramSecret#DEFAULT_ITERATIONS}
 * unless given.
 */
public final class ScramSecrets {

  private ScramSecrets() {}

  /** Runs the tool; exits with 2 on a usage error and 1 without a password. */
  public static void main(String[] args) {
    Console console = System.console();
    int status = run(args, console, System.in, System.out, System.err);
    if (status != 0) {
      System.exit(status);
    }
  }

  /**
   * Runs the tool.
   *
   * @param console where to ask for the password without echo, or null to read {@code in}
   * @return the exit status
   */
  static int run(String[] args, Console console, InputStream in, PrintStream out,
      PrintStream err) {
    List<String> words = new ArrayList<>(List.of(args));
    int iterations = ScramSecret.DEFAULT_ITERATIONS;
    if (words.size() >= 2 && words.get(0).equals("--iterations")) {
      try {
        iterations = Integer.parseInt(words.get(1));
      } catch (NumberFormatException e) {
        iterations = 0;
      }
      words = words.subList(2, words.size());
    }
    if (words.isEmpty() || iterations < 1 || !validName(words.get(0))) {
      err.println("usage: ScramSecrets [--iterations N] USER [ROLE ...]  (password from stdin;"
          + " USER without '=', ',' or white space at its ends)");
      return 2;
    }
    byte[] password = password(console, in, words.get(0));
    if (password == null || password.length == 0) {
      err.println("no password given");
      return 1;
    }
    byte[] salt = new byte[16];
    new SecureRandom().nextBytes(salt);
    out.println(line(words.get(0), ScramSecret.derive(password, salt, iterations),
        words.subList(1, words.size())));
    Arrays.fill(password, (byte) 0);
    return 0;
  }

  /** The credentials file line of {@code user}. */
  static String line(String user, ScramSecret secret, List<String> roles) {
    StringBuilder line = new StringBuilder(user).append(" = ").append(secret.format());
    roles.forEach(role -> line.append(", ").append(role));
    return line.toString();
  }

  private static boolean validName(String user) {
    return !user.isEmpty() && user.strip().equals(user) && user.indexOf('=') < 0
        && user.indexOf(',') < 0;
  }

  private static byte[] password(Console console, InputStream in, String user) {
    if (console != null) {
      char[] typed = console.readPassword("Password for %s: ", user);
      if (typed == null) {
        return null;
      }
      ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(typed));
      byte[] bytes = Arrays.copyOf(encoded.array(), encoded.limit());
      Arrays.fill(encoded.array(), (byte) 0);
      Arrays.fill(typed, '\0');
      return bytes;
    }
    try {
      String line = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))
          .readLine();
      return line == null ? null : line.getBytes(StandardCharsets.UTF_8);
    } catch (IOException e) {
      return null;
    }
  }
}
