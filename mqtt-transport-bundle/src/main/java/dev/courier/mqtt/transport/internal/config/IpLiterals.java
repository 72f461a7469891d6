package dev.courier.mqtt.transport.internal.config;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** IP address literals, checked and written one way, without ever asking a name server. */
public final class IpLiterals {

  private IpLiterals() {}

  /**
   * The address in {@code text} written as {@link InetAddress#getHostAddress()} does, or null if
   * {@code text} is not an IPv4 (dotted quad) or IPv6 literal. A name is never resolved.
   */
  public static String normalize(String text) {
    if (text == null) {
      return null;
    }
    String literal = text.trim();
    if (literal.startsWith("[") && literal.endsWith("]")) {
      literal = literal.substring(1, literal.length() - 1);
    }
    if (literal.isEmpty()) {
      return null;
    }
    if (literal.indexOf(':') < 0 && !isDottedQuad(literal)) {
      return null; // InetAddress would take it for a host name and look it up
    }
    if (!literal.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
      return null; // no zone ids or names inside brackets
    }
    try {
      return InetAddress.getByName(literal).getHostAddress(); // a literal: parsed, not resolved
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private static boolean isDottedQuad(String text) {
    String[] parts = text.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (String part : parts) {
      if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)
          || Integer.parseInt(part) > 255) {
        return false;
      }
    }
    return true;
  }
}
