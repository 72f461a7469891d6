package dev.courier.mqtt.auth.internal.login;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Counts consecutive failed logins per client id and per remote host (the port is ignored), and says how long to hold
 * back the answer to the next failure: {@code base * 2^(n-1)} for the n-th consecutive failure of
 * either key, capped. A success resets both keys; a key with no failure for {@link #FORGET_AFTER_MS}
 * starts again from one.
 *
 * <p>Bounded: at most {@code capacity} keys are remembered, the least recently touched are evicted
 * first, so a client cycling through ids or addresses cannot grow it. Thread-safe (synchronized; the
 * critical sections are a map lookup).
 */
public final class FailedLoginTracker {

  /** How long a key's failures are remembered without a new one. */
  public static final long FORGET_AFTER_MS = 15 * 60 * 1000L;
  /** The default number of keys remembered. */
  public static final int DEFAULT_CAPACITY = 10_000;

  private final LongSupplier clockMillis;
  private final int capacity;
  private final Map<String, Failures> failures;
  private long evictions;

  private static final class Failures {
    int count;
    long lastMillis;
  }

  /**
   * Creates a tracker.
   *
   * @param clockMillis the current time in milliseconds (injectable for tests)
   * @param capacity how many keys to remember at most
   */
  public FailedLoginTracker(LongSupplier clockMillis, int capacity) {
    this.clockMillis = clockMillis;
    this.capacity = capacity;
    this.failures = new LinkedHashMap<>(64, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Failures> eldest) {
        if (size() > FailedLoginTracker.this.capacity) {
          evictions++;
          return true;
        }
        return false;
      }
    };
  }

  /**
   * Records a failed login and returns how long to delay its answer.
   *
   * @param clientId the client id
   * @param address the remote address; empty if unknown
   * @param baseMillis the delay of the first failure
   * @param maxMillis the cap
   * @return the delay in milliseconds
   */
  public synchronized long recordFailure(String clientId, String address, long baseMillis,
      long maxMillis) {
    long now = clockMillis.getAsLong();
    int count = bump(clientKey(clientId), now);
    if (!address.isEmpty()) {
      count = Math.max(count, bump(addressKey(address), now));
    }
    return delay(count, baseMillis, maxMillis);
  }

  /**
   * Forgets the failures of a client id and address after a successful login.
   *
   * @param clientId the client id
   * @param address the remote address; empty if unknown
   */
  public synchronized void recordSuccess(String clientId, String address) {
    failures.remove(clientKey(clientId));
    if (!address.isEmpty()) {
      failures.remove(addressKey(address));
    }
  }

  /** How many keys are remembered now. */
  public synchronized int size() {
    return failures.size();
  }

  /** How many keys were evicted because the tracker was full. */
  public synchronized long evictions() {
    return evictions;
  }

  /** The delay for the n-th consecutive failure: base, 2 base, 4 base, ... capped. */
  static long delay(int count, long baseMillis, long maxMillis) {
    if (count <= 0 || baseMillis <= 0) {
      return 0;
    }
    int shift = Math.min(count - 1, 30);
    long delay = baseMillis << shift;
    return delay < 0 || delay > maxMillis ? maxMillis : delay;
  }

  private int bump(String key, long now) {
    Failures entry = failures.get(key);
    if (entry == null) {
      entry = new Failures();
      failures.put(key, entry);
    } else if (now - entry.lastMillis > FORGET_AFTER_MS) {
      entry.count = 0;
    }
    entry.count = entry.count == Integer.MAX_VALUE ? entry.count : entry.count + 1;
    entry.lastMillis = now;
    return entry.count;
  }

  private static String clientKey(String clientId) {
    return "c:" + clientId;
  }

  private static String addressKey(String address) {
    return "a:" + hostOf(address);
  }

  /**
   * The host part of a remote address, so that failures from one machine count together whatever
   * its source port: {@code /192.0.2.7:50000} (an {@code InetSocketAddress} as text), {@code
   * name/192.0.2.7:50000}, {@code [2001:db8::1]:50000} and {@code 192.0.2.7:50000} all lose the
   * port; anything else is taken as a host already.
   *
   * @param address the address as the transport reports it
   * @return the host
   */
  static String hostOf(String address) {
    String text = address.strip();
    int slash = text.indexOf('/');
    if (slash >= 0) {
      // InetSocketAddress.toString(): "[hostname]/literal:port", the port always last.
      return cutPort(text.substring(slash + 1));
    }
    if (text.startsWith("[")) {
      int close = text.indexOf(']');
      return close > 0 ? text.substring(1, close) : text;
    }
    return text.indexOf(':') == text.lastIndexOf(':') ? cutPort(text) : text; // bare IPv6 stays
  }

  private static String cutPort(String hostAndPort) {
    int colon = hostAndPort.lastIndexOf(':');
    if (colon <= 0 || colon == hostAndPort.length() - 1) {
      return hostAndPort;
    }
    for (int i = colon + 1; i < hostAndPort.length(); i++) {
      if (!Character.isDigit(hostAndPort.charAt(i))) {
        return hostAndPort;
      }
    }
    return hostAndPort.substring(0, colon);
  }
}
