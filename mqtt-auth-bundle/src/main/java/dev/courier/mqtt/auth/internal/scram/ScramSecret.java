package dev.courier.mqtt.auth.internal.scram;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;

/**
 * What the server keeps of a SCRAM-SHA-256 password (RFC 5802 section 3): the salt, the iteration
 * count, StoredKey and ServerKey, never the password. Written as PostgreSQL writes its verifiers:
 * {@code SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>}, all in Base64. {@link
 * #toString()} leaves the keys out.
 *
 * @param iterations the PBKDF2 iteration count
 * @param salt the salt
 * @param storedKey H(ClientKey)
 * @param serverKey HMAC(SaltedPassword, "Server Key")
 */
public record ScramSecret(int iterations, byte[] salt, byte[] storedKey, byte[] serverKey) {

  /** The prefix of the written form. */
  public static final String SCHEME = "SCRAM-SHA-256$";
  /** The iteration count RFC 7677 asks for at least, and what {@link ScramSecrets} uses. */
  public static final int DEFAULT_ITERATIONS = 4096;

  /** Validates the parts. */
  public ScramSecret {
    if (iterations < 1 || salt.length == 0 || storedKey.length != ScramCrypto.LENGTH
        || serverKey.length != ScramCrypto.LENGTH) {
      throw new IllegalArgumentException("iterations, salt or key length out of range");
    }
  }

  /**
   * Derives the secret of {@code password} (RFC 5802 section 3).
   *
   * @param password the password, UTF-8 (ASCII passwords need no SASLprep)
   */
  public static ScramSecret derive(byte[] password, byte[] salt, int iterations) {
    byte[] salted = ScramCrypto.hi(password, salt, iterations);
    byte[] clientKey = ScramCrypto.hmac(salted, "Client Key".getBytes(StandardCharsets.US_ASCII));
    byte[] serverKey = ScramCrypto.hmac(salted, "Server Key".getBytes(StandardCharsets.US_ASCII));
    return new ScramSecret(iterations, salt.clone(), ScramCrypto.hash(clientKey), serverKey);
  }

  /**
   * Reads the written form.
   *
   * @throws IllegalArgumentException if it is not one; the message never repeats the text
   */
  public static ScramSecret parse(String text) {
    if (!text.startsWith(SCHEME)) {
      throw new IllegalArgumentException("does not start with " + SCHEME);
    }
    String[] halves = text.substring(SCHEME.length()).split("\\$", -1);
    String[] first = halves[0].split(":", -1);
    String[] second = halves.length == 2 ? halves[1].split(":", -1) : new String[0];
    if (first.length != 2 || second.length != 2) {
      throw new IllegalArgumentException(
          "not SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>");
    }
    int iterations;
    try {
      iterations = Integer.parseInt(first[0]);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("iteration count is not a number");
    }
    Base64.Decoder base64 = Base64.getDecoder();
    try {
      return new ScramSecret(iterations, base64.decode(first[1]), base64.decode(second[0]),
          base64.decode(second[1]));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "salt or key is not Base64 or has the wrong length, or iterations < 1");
    }
  }

  /** The written form. */
  public String format() {
    Base64.Encoder base64 = Base64.getEncoder();
    return SCHEME + iterations + ":" + base64.encodeToString(salt) + "$"
        + base64.encodeToString(storedKey) + ":" + base64.encodeToString(serverKey);
  }

  @Override
  public String toString() {
    return "ScramSecret[iterations=" + iterations + "]";
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ScramSecret that && iterations == that.iterations
        && Arrays.equals(salt, that.salt)
        && MessageDigest.isEqual(storedKey, that.storedKey)
        && MessageDigest.isEqual(serverKey, that.serverKey);
  }

  @Override
  public int hashCode() {
    return 31 * iterations + Arrays.hashCode(salt);
  }
}
