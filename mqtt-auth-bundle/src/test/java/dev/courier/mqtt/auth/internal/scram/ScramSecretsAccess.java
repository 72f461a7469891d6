package dev.courier.mqtt.auth.internal.scram;

import java.io.InputStream;
import java.io.PrintStream;

/** Lets tests of other packages run {@link ScramSecrets} as a user would, without a console. */
public final class ScramSecretsAccess {

  private ScramSecretsAccess() {}

  /** Runs the tool with the password read from {@code in}; errors go to {@code out} too. */
  public static int run(String[] args, InputStream in, PrintStream out) {
    return ScramSecrets.run(args, null, in, out, out);
  }
}
