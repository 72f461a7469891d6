package dev.courier.mqtt.auth.internal.scram;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** The primitives of SCRAM-SHA-256 (RFC 5802 section 2.2 with RFC 7677's hash): H, HMAC and Hi. */
final class ScramCrypto {

  /** Bytes of a SHA-256 output: the length of keys, signatures and proofs. */
  static final int LENGTH = 32;

  private ScramCrypto() {}

  /** H(data): SHA-256. */
  static byte[] hash(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  /** HMAC(key, data) with SHA-256. */
  static byte[] hmac(byte[] key, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every Java platform has HmacSHA256", e);
    }
  }

  /** Hi(password, salt, i): PBKDF2 with HMAC-SHA-256 and one output block. */
  static byte[] hi(byte[] password, byte[] salt, int iterations) {
    byte[] block = new byte[salt.length + 4];
    System.arraycopy(salt, 0, block, 0, salt.length);
    block[block.length - 1] = 1; // INT(1)
    byte[] u = hmac(password, block);
    byte[] result = u.clone();
    for (int i = 1; i < iterations; i++) {
      u = hmac(password, u);
      for (int k = 0; k < result.length; k++) {
        result[k] ^= u[k];
      }
    }
    return result;
  }

  static byte[] xor(byte[] a, byte[] b) {
    byte[] result = new byte[a.length];
    for (int i = 0; i < a.length; i++) {
      result[i] = (byte) (a[i] ^ b[i]);
    }
    return result;
  }
}
