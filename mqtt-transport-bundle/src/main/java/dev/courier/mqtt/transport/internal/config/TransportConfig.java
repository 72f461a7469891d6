package dev.courier.mqtt.transport.internal.config;

import java.util.ArrayList;
import java.util.List;

/**
 * The validated, immutable settings of one transport instance. Built once per configuration
 * (activation or modification) and passed down; nothing reads configuration anywhere else.
 *
 * @param enabled whether the listener runs at all
 * @param host the interface to bind, {@code 0.0.0.0} for all
 * @param port the plain MQTT port, 0 for an ephemeral one
 * @param inboundBufferSize bytes: the largest read buffer per connection
 * @param deliveryBufferSize bytes: outbound write-buffer high-water mark per connection; above it
 *     the connection takes no more deliveries until it drained to half
 * @param maxPacketSize bytes: the largest MQTT packet accepted from a client
 * @param maxClientIdLength characters: the longest client identifier accepted
 * @param maxInflightMessages QoS 1/2 deliveries sent to one client and not yet acknowledged
 * @param maxQueuedMessages messages held for one session while they wait to be sent
 * @param maxKeepAliveSeconds the longest keep-alive honoured; a client asking more (or 0) is timed
 *     out after 1.5 times this
 * @param connectTimeoutSeconds a connection that sends no CONNECT within this is closed
 * @param authTimeoutSeconds the longest wait for the authenticator's or authorizer's answer; no
 *     answer counts as a refusal
 * @param tls the TLS listener's settings, or null for no TLS listener
 * @param topicAliasMaximum topic aliases a 5.0 client may use towards the server on one
 *     connection (MQTT 5.0 section 3.2.2.3.8); 0: none, and CONNACK says nothing
 * @param maxSessionExpirySeconds the longest Session Expiry Interval granted to a 5.0 client; one
 *     asking more gets this, told in CONNACK [MQTT-3.2.2.3.2]; {@link #NEVER_EXPIRES}: no limit
 * @param mqtt311SessionExpirySeconds how long a 3.1/3.1.1 session with cleanSession=false is kept
 *     after its connection ends; {@link #NEVER_EXPIRES}: until a clean session replaces it
 * @param maxConnections client connections the listeners hold at most, together; one more is
 *     answered CONNACK 3 (3.1/3.1.1) or 0x97 Quota exceeded (5.0) and closed; {@link
 *     #AUTO_CONNECTIONS}: below the process's open-file limit (see {@link
 *     #effectiveMaxConnections})
 * @param maxQueuedBytes bytes of the messages held for one session while they wait to be sent
 *     (payload and topic; the Artemis bridge counts what it stores of each message); beside
 *     {@code maxQueuedMessages}, with the same drop policy
 * @param maxRetainedMessages retained messages held at most, for all topics together; a retained
 *     publication beyond it is refused (0x97 on 5.0, the connection closed on 3.x)
 * @param maxRetainedBytes bytes (payload and topic) of the retained messages held at most, as
 *     {@code maxRetainedMessages}
 * @param maxTopicLength bytes of UTF-8: the longest topic name (PUBLISH, will) or topic filter
 *     (SUBSCRIBE, UNSUBSCRIBE) accepted; {@value #DEFAULT_MAX_TOPIC_LENGTH}, the protocol's own
 *     bound, changes nothing
 * @param maxTopicLevels the most {@code /}-separated levels a topic name or filter may have
 * @param maxPublishRate PUBLISH packets per second one client may send, in bursts of up to a
 *     second's worth; faster, reading from it pauses until it may again (never a disconnect);
 *     {@link #NO_PUBLISH_RATE}: no limit
 * @param maxConnectRate new connections per second one listener accepts (bursts of up to one
 *     second's worth); one more is answered CONNACK 3 (3.1/3.1.1) or 0x9F Connection rate
 *     exceeded (5.0) and closed; 0: no limit
 * @param memoryRefusalPercent new connections are refused while the heap after the last garbage
 *     collection, or the direct memory, is above this percentage of its maximum: CONNACK 3
 *     (3.1/3.1.1) or 0x89 Server busy (5.0); 0: never
 * @param ioThreads the event loops that own the client connections; {@link #AUTO_IO_THREADS}:
 *     one per processor (see {@link #ioThreadsFor})
 * @param websocketPort the port of the MQTT over WebSocket listener ({@code ws://}), 0 for an
 *     ephemeral one; {@link #NO_LISTENER}: none
 * @param websocketSslPort the port of the MQTT over secure WebSocket listener ({@code wss://},
 *     with the TLS listener's key store), 0 for an ephemeral one; it runs only while TLS is
 *     configured; {@link #NO_LISTENER}: none
 * @param websocketPath the HTTP path the WebSocket listeners upgrade on; any other path is
 *     answered 404 Not Found
 * @param websocketTrustedProxies IP addresses of reverse proxies in front of the WebSocket
 *     listeners: from a connection of one of them, the client's address is taken from the upgrade
 *     request's {@code X-Forwarded-For} header (the right-most entry that is not itself a trusted
 *     proxy); from any other peer the header is ignored. Empty: always ignored
 */
public record TransportConfig(
    boolean enabled,
    String host,
    int port,
    int inboundBufferSize,
    int deliveryBufferSize,
    int maxPacketSize,
    int maxClientIdLength,
    int maxInflightMessages,
    int maxQueuedMessages,
    int maxKeepAliveSeconds,
    int connectTimeoutSeconds,
    int authTimeoutSeconds,
    TlsConfig tls,
    int topicAliasMaximum,
    long maxSessionExpirySeconds,
    long mqtt311SessionExpirySeconds,
    int maxConnections,
    long maxQueuedBytes,
    int maxRetainedMessages,
    long maxRetainedBytes,
    int maxTopicLength,
    int maxTopicLevels,
    int maxPublishRate,
    int maxConnectRate,
    int memoryRefusalPercent,
    int ioThreads,
    int websocketPort,
    int websocketSslPort,
    String websocketPath,
    List<String> websocketTrustedProxies) {

  public TransportConfig {
    websocketTrustedProxies = websocketTrustedProxies == null ? List.of()
        : List.copyOf(websocketTrustedProxies);
  }

  /** A port setting that turns its listener off. */
  public static final int NO_LISTENER = -1;

  /** Default of {@code websocketPath}: where MQTT.js, Paho and HiveMQ clients look by default. */
  public static final String DEFAULT_WEBSOCKET_PATH = "/mqtt";

  /** Default of {@code maxQueuedBytes}: 64 MiB per session. */
  public static final long DEFAULT_MAX_QUEUED_BYTES = 64L * 1024 * 1024;

  /** Default of {@code maxRetainedMessages}. */
  public static final int DEFAULT_MAX_RETAINED_MESSAGES = 1_000_000;

  /** Default of {@code maxRetainedBytes}: 256 MiB. */
  public static final long DEFAULT_MAX_RETAINED_BYTES = 256L * 1024 * 1024;

  /** The smallest {@code maxQueuedBytes} and {@code maxRetainedBytes} accepted. */
  static final long MIN_BYTES_BOUND = 1024;

  /** Default of {@code maxTopicLength}: an MQTT string's own bound (section 1.5.4). */
  public static final int DEFAULT_MAX_TOPIC_LENGTH = 65535;

  /** Default of {@code maxTopicLevels}: more than any sane topic tree has. */
  public static final int DEFAULT_MAX_TOPIC_LEVELS = 1024;

  /** {@code maxPublishRate} default: no limit. */
  public static final int NO_PUBLISH_RATE = 0;

  /** The largest {@code maxPublishRate}: more than one connection's loop can take anyway. */
  public static final int MAX_PUBLISH_RATE = 1_000_000;

  /** {@code maxConnections} default: derived from the process's open-file limit. */
  public static final int AUTO_CONNECTIONS = 0;

  /** Open files kept for the broker itself (journal, bundles, logs) below the file limit. */
  static final long RESERVED_FILES = 1024;

  /** Default of {@code maxConnectRate}: well above a benchmark's 10,000 connections a second. */
  public static final int DEFAULT_MAX_CONNECT_RATE = 20_000;

  /** The highest {@code maxConnectRate}: one connection a microsecond. */
  public static final int MAX_CONNECT_RATE = 1_000_000;

  /** Default of {@code memoryRefusalPercent}. */
  public static final int DEFAULT_MEMORY_REFUSAL_PERCENT = 90;

  /** {@code ioThreads} default: derived from the processors (see {@link #ioThreadsFor}). */
  public static final int AUTO_IO_THREADS = 0;

  /** The most {@code ioThreads}. */
  public static final int MAX_IO_THREADS = 1024;

  /**
   * The event loops to run for {@code ioThreads} on a machine with {@code processors}: the setting
   * if it is not {@link #AUTO_IO_THREADS}, else one per processor. New connections fill the loops
   * in chunks (see the transport's chooser), so a few clients share one loop and their deliveries
   * wake no other processor.
   */
  public static int ioThreadsFor(int ioThreads, int processors) {
    return ioThreads != AUTO_IO_THREADS ? ioThreads : Math.max(1, processors);
  }

  /** A session expiry interval of 0xFFFFFFFF: the session does not expire (3.1.2.11.2). */
  public static final long NEVER_EXPIRES = 0xFFFF_FFFFL;

  /** Default of {@code topicAliasMaximum}. */
  public static final int DEFAULT_TOPIC_ALIAS_MAXIMUM = 16;

  /** Default of {@code authTimeoutSeconds}. */
  public static final int DEFAULT_AUTH_TIMEOUT_SECONDS = 15;

  /** The largest packet MQTT 3.1.1 can express: a remaining length of 268,435,455 plus header. */
  public static final int MQTT_MAX_PACKET_SIZE = 268_435_455 + 5;

  /**
   * The connection limit in force: {@code maxConnections}, or for {@link #AUTO_CONNECTIONS} the
   * open-file limit less {@value #RESERVED_FILES} (at least 64), or no limit when the limit is not
   * known.
   *
   * @param openFileLimit the process's open-file limit, or a negative number if unknown
   */
  public int effectiveMaxConnections(long openFileLimit) {
    if (maxConnections != AUTO_CONNECTIONS) {
      return maxConnections;
    }
    if (openFileLimit < 0) {
      return Integer.MAX_VALUE;
    }
    return (int) Math.min(Integer.MAX_VALUE, Math.max(64, openFileLimit - RESERVED_FILES));
  }

  /** Settings with every default, as documented in the metatype. */
  public static TransportConfig defaults() {
    return builder().build();
  }

  /** A builder that starts from {@link #defaults()}. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder that starts from these settings, to change some of them. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** The same settings with another TLS listener (null for none). */
  public TransportConfig withTls(TlsConfig newTls) {
    return toBuilder().tls(newTls).build();
  }

  /** The same settings with other MQTT 5.0 server limits and 3.x persistent-session life. */
  public TransportConfig withServerLimits(int newTopicAliasMaximum, long newMaxSessionExpiry,
      long newMqtt311SessionExpiry) {
    return toBuilder().topicAliasMaximum(newTopicAliasMaximum)
        .maxSessionExpirySeconds(newMaxSessionExpiry)
        .mqtt311SessionExpirySeconds(newMqtt311SessionExpiry).build();
  }

  /** The same settings with other bridge bounds: queued bytes per session, retained messages. */
  public TransportConfig withBridgeLimits(long newMaxQueuedBytes, int newMaxRetainedMessages,
      long newMaxRetainedBytes) {
    return toBuilder().maxQueuedBytes(newMaxQueuedBytes).maxRetainedMessages(newMaxRetainedMessages)
        .maxRetainedBytes(newMaxRetainedBytes).build();
  }

  /** The same settings with other bounds of topic names and filters. */
  public TransportConfig withTopicLimits(int newMaxTopicLength, int newMaxTopicLevels) {
    return toBuilder().maxTopicLength(newMaxTopicLength).maxTopicLevels(newMaxTopicLevels).build();
  }

  /** The same settings with another {@code maxPublishRate}. */
  public TransportConfig withPublishRate(int newMaxPublishRate) {
    return toBuilder().maxPublishRate(newMaxPublishRate).build();
  }

  /** The same settings with other admission limits ({@code maxConnectRate}, memory). */
  public TransportConfig withAdmissionLimits(int newMaxConnectRate, int newMemoryRefusalPercent) {
    return toBuilder().maxConnectRate(newMaxConnectRate)
        .memoryRefusalPercent(newMemoryRefusalPercent).build();
  }

  /**
   * Checks every value and reports all problems at once.
   *
   * @return the names and reasons of invalid keys, empty if the configuration is valid
   */
  public List<String> problems() {
    List<String> problems = new ArrayList<>();
    if (host == null || host.isBlank()) {
      problems.add("host: must not be empty");
    }
    check(problems, "port", port, 0, 65535);
    check(problems, "inboundBufferSize", inboundBufferSize, 64, 64 * 1024 * 1024);
    check(problems, "deliveryBufferSize", deliveryBufferSize, 64, 256 * 1024 * 1024);
    check(problems, "maxPacketSize", maxPacketSize, 16, MQTT_MAX_PACKET_SIZE);
    check(problems, "maxClientIdLength", maxClientIdLength, 23, 65535);
    check(problems, "maxInflightMessages", maxInflightMessages, 1, 65535);
    check(problems, "maxQueuedMessages", maxQueuedMessages, 1, 100_000_000);
    check(problems, "maxKeepAliveSeconds", maxKeepAliveSeconds, 1, 65535);
    check(problems, "connectTimeoutSeconds", connectTimeoutSeconds, 1, 3600);
    check(problems, "authTimeoutSeconds", authTimeoutSeconds, 1, 600);
    check(problems, "topicAliasMaximum", topicAliasMaximum, 0, 65535);
    check(problems, "maxSessionExpirySeconds", maxSessionExpirySeconds, 0, NEVER_EXPIRES);
    // A 3.x persistent session that ended with its connection would make cleanSession=false void.
    check(problems, "mqtt311SessionExpirySeconds", mqtt311SessionExpirySeconds, 1, NEVER_EXPIRES);
    check(problems, "maxConnections", maxConnections, 0, Integer.MAX_VALUE);
    check(problems, "maxQueuedBytes", maxQueuedBytes, MIN_BYTES_BOUND, Long.MAX_VALUE);
    check(problems, "maxRetainedMessages", maxRetainedMessages, 1, Integer.MAX_VALUE);
    check(problems, "maxRetainedBytes", maxRetainedBytes, MIN_BYTES_BOUND, Long.MAX_VALUE);
    check(problems, "maxTopicLength", maxTopicLength, 1, DEFAULT_MAX_TOPIC_LENGTH);
    check(problems, "maxTopicLevels", maxTopicLevels, 1, 65535);
    check(problems, "maxPublishRate", maxPublishRate, NO_PUBLISH_RATE, MAX_PUBLISH_RATE);
    check(problems, "maxConnectRate", maxConnectRate, 0, MAX_CONNECT_RATE);
    // 100 would never refuse: 0 says that.
    check(problems, "memoryRefusalPercent", memoryRefusalPercent, 0, 99);
    check(problems, "ioThreads", ioThreads, AUTO_IO_THREADS, MAX_IO_THREADS);
    check(problems, "websocketPort", websocketPort, NO_LISTENER, 65535);
    check(problems, "websocketSslPort", websocketSslPort, NO_LISTENER, 65535);
    if (websocketPath == null || !websocketPath.startsWith("/")
        || websocketPath.chars().anyMatch(c -> c <= ' ' || c == '?' || c == '#')) {
      problems.add("websocketPath: '" + websocketPath + "' must start with / and hold no spaces,"
          + " '?' or '#'");
    }
    for (String proxy : websocketTrustedProxies) {
      if (IpLiterals.normalize(proxy) == null) {
        problems.add("websocketTrustedProxies: '" + proxy + "' is not an IP address");
      }
    }
    if (websocketPort > 0 && websocketPort == port) {
      problems.add("websocketPort: " + websocketPort + " is also the plain MQTT port");
    }
    if (tls != null && websocketSslPort > 0
        && (websocketSslPort == port || websocketSslPort == tls.port()
            || websocketSslPort == websocketPort)) {
      problems.add("websocketSslPort: " + websocketSslPort + " is also another listener's port");
    }
    if (tls != null && websocketPort > 0 && websocketPort == tls.port()) {
      problems.add("websocketPort: " + websocketPort + " is also the TLS port");
    }
    if (tls != null) {
      check(problems, "sslPort", tls.port(), 0, 65535);
      if (tls.keystorePath().isEmpty()) {
        problems.add("sslKeystorePath: required when sslEnabled is true");
      }
      if (tls.protocols().isEmpty()) {
        problems.add("sslProtocols: at least one protocol is needed");
      }
      if (tls.port() != 0 && tls.port() == port) {
        problems.add("sslPort: " + tls.port() + " is also the plain MQTT port");
      }
    }
    return problems;
  }

  private static void check(List<String> problems, String key, long value, long min, long max) {
    if (value < min || value > max) {
      problems.add(key + ": " + value + " is outside [" + min + ", " + max + "]");
    }
  }

  /**
   * Settings made one at a time, from {@link #defaults()} or from other settings: one setter per
   * component, named and meaning as it. Not thread-safe; {@link #build()} does not validate, {@link
   * #problems()} does.
   */
  public static final class Builder {
    // The defaults, as the metatype documents them.
    private boolean enabled = true;
    private String host = "0.0.0.0";
    private int port = 1883;
    private int inboundBufferSize = 32768;
    private int deliveryBufferSize = 32768;
    private int maxPacketSize = 1_048_576;
    private int maxClientIdLength = 256;
    private int maxInflightMessages = 64;
    private int maxQueuedMessages = 10_000;
    private int maxKeepAliveSeconds = 65535;
    private int connectTimeoutSeconds = 10;
    private int authTimeoutSeconds = DEFAULT_AUTH_TIMEOUT_SECONDS;
    private TlsConfig tls;
    private int topicAliasMaximum = DEFAULT_TOPIC_ALIAS_MAXIMUM;
    private long maxSessionExpirySeconds = NEVER_EXPIRES;
    private long mqtt311SessionExpirySeconds = NEVER_EXPIRES;
    private int maxConnections = AUTO_CONNECTIONS;
    private long maxQueuedBytes = DEFAULT_MAX_QUEUED_BYTES;
    private int maxRetainedMessages = DEFAULT_MAX_RETAINED_MESSAGES;
    private long maxRetainedBytes = DEFAULT_MAX_RETAINED_BYTES;
    private int maxTopicLength = DEFAULT_MAX_TOPIC_LENGTH;
    private int maxTopicLevels = DEFAULT_MAX_TOPIC_LEVELS;
    private int maxPublishRate = NO_PUBLISH_RATE;
    private int maxConnectRate = DEFAULT_MAX_CONNECT_RATE;
    private int memoryRefusalPercent = DEFAULT_MEMORY_REFUSAL_PERCENT;
    private int ioThreads = AUTO_IO_THREADS;
    private int websocketPort = NO_LISTENER;
    private int websocketSslPort = NO_LISTENER;
    private String websocketPath = DEFAULT_WEBSOCKET_PATH;
    private List<String> websocketTrustedProxies = List.of();

    private Builder() {}

    private Builder(TransportConfig from) {
      enabled = from.enabled;
      host = from.host;
      port = from.port;
      inboundBufferSize = from.inboundBufferSize;
      deliveryBufferSize = from.deliveryBufferSize;
      maxPacketSize = from.maxPacketSize;
      maxClientIdLength = from.maxClientIdLength;
      maxInflightMessages = from.maxInflightMessages;
      maxQueuedMessages = from.maxQueuedMessages;
      maxKeepAliveSeconds = from.maxKeepAliveSeconds;
      connectTimeoutSeconds = from.connectTimeoutSeconds;
      authTimeoutSeconds = from.authTimeoutSeconds;
      tls = from.tls;
      topicAliasMaximum = from.topicAliasMaximum;
      maxSessionExpirySeconds = from.maxSessionExpirySeconds;
      mqtt311SessionExpirySeconds = from.mqtt311SessionExpirySeconds;
      maxConnections = from.maxConnections;
      maxQueuedBytes = from.maxQueuedBytes;
      maxRetainedMessages = from.maxRetainedMessages;
      maxRetainedBytes = from.maxRetainedBytes;
      maxTopicLength = from.maxTopicLength;
      maxTopicLevels = from.maxTopicLevels;
      maxPublishRate = from.maxPublishRate;
      maxConnectRate = from.maxConnectRate;
      memoryRefusalPercent = from.memoryRefusalPercent;
      ioThreads = from.ioThreads;
      websocketPort = from.websocketPort;
      websocketSslPort = from.websocketSslPort;
      websocketPath = from.websocketPath;
      websocketTrustedProxies = from.websocketTrustedProxies;
    }

    public Builder enabled(boolean value) {
      enabled = value;
      return this;
    }

    public Builder host(String value) {
      host = value;
      return this;
    }

    public Builder port(int value) {
      port = value;
      return this;
    }

    public Builder inboundBufferSize(int value) {
      inboundBufferSize = value;
      return this;
    }

    public Builder deliveryBufferSize(int value) {
      deliveryBufferSize = value;
      return this;
    }

    public Builder maxPacketSize(int value) {
      maxPacketSize = value;
      return this;
    }

    public Builder maxClientIdLength(int value) {
      maxClientIdLength = value;
      return this;
    }

    public Builder maxInflightMessages(int value) {
      maxInflightMessages = value;
      return this;
    }

    public Builder maxQueuedMessages(int value) {
      maxQueuedMessages = value;
      return this;
    }

    public Builder maxKeepAliveSeconds(int value) {
      maxKeepAliveSeconds = value;
      return this;
    }

    public Builder connectTimeoutSeconds(int value) {
      connectTimeoutSeconds = value;
      return this;
    }

    public Builder authTimeoutSeconds(int value) {
      authTimeoutSeconds = value;
      return this;
    }

    public Builder tls(TlsConfig value) {
      tls = value;
      return this;
    }

    public Builder topicAliasMaximum(int value) {
      topicAliasMaximum = value;
      return this;
    }

    public Builder maxSessionExpirySeconds(long value) {
      maxSessionExpirySeconds = value;
      return this;
    }

    public Builder mqtt311SessionExpirySeconds(long value) {
      mqtt311SessionExpirySeconds = value;
      return this;
    }

    public Builder maxConnections(int value) {
      maxConnections = value;
      return this;
    }

    public Builder maxQueuedBytes(long value) {
      maxQueuedBytes = value;
      return this;
    }

    public Builder maxRetainedMessages(int value) {
      maxRetainedMessages = value;
      return this;
    }

    public Builder maxRetainedBytes(long value) {
      maxRetainedBytes = value;
      return this;
    }

    public Builder maxTopicLength(int value) {
      maxTopicLength = value;
      return this;
    }

    public Builder maxTopicLevels(int value) {
      maxTopicLevels = value;
      return this;
    }

    public Builder maxPublishRate(int value) {
      maxPublishRate = value;
      return this;
    }

    public Builder maxConnectRate(int value) {
      maxConnectRate = value;
      return this;
    }

    public Builder memoryRefusalPercent(int value) {
      memoryRefusalPercent = value;
      return this;
    }

    public Builder ioThreads(int value) {
      ioThreads = value;
      return this;
    }

    public Builder websocketPort(int value) {
      websocketPort = value;
      return this;
    }

    public Builder websocketSslPort(int value) {
      websocketSslPort = value;
      return this;
    }

    public Builder websocketPath(String value) {
      websocketPath = value;
      return this;
    }

    public Builder websocketTrustedProxies(List<String> value) {
      websocketTrustedProxies = value;
      return this;
    }

    /** The settings as set so far, not checked: see {@link TransportConfig#problems()}. */
    public TransportConfig build() {
      return new TransportConfig(enabled, host, port, inboundBufferSize, deliveryBufferSize,
          maxPacketSize, maxClientIdLength, maxInflightMessages, maxQueuedMessages,
          maxKeepAliveSeconds, connectTimeoutSeconds, authTimeoutSeconds, tls, topicAliasMaximum,
          maxSessionExpirySeconds, mqtt311SessionExpirySeconds, maxConnections, maxQueuedBytes,
          maxRetainedMessages, maxRetainedBytes, maxTopicLength, maxTopicLevels, maxPublishRate,
          maxConnectRate, memoryRefusalPercent, ioThreads, websocketPort, websocketSslPort,
          websocketPath, websocketTrustedProxies);
    }
  }
}
