package dev.courier.mqtt.transport.internal.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns ConfigurationAdmin properties (strings from {@code etc/*.cfg} and environment overrides, or
 * typed values from the API) into a {@link TransportConfig}, naming every key it cannot accept.
 * Missing keys take their defaults.
 */
public final class TransportConfigReader {

  /** The result: a config and requirements when {@code problems} is empty. */
  public record Result(TransportConfig config, Requirements requirements, List<String> problems) {
    /** Whether the properties were all acceptable. */
    public boolean valid() {
      return problems.isEmpty();
    }
  }

  private final Map<String, ?> properties;
  private final List<String> problems = new ArrayList<>();

  private TransportConfigReader(Map<String, ?> properties) {
    this.properties = properties;
  }

  /**
   * Reads and validates.
   *
   * @param properties the component properties; may hold unrelated keys, which are ignored
   * @return the config and the problems found (each names its key)
   */
  public static Result read(Map<String, ?> properties) {
    return new TransportConfigReader(properties).read();
  }

  private Result read() {
    TransportConfig d = TransportConfig.defaults();
    TransportConfig config = TransportConfig.builder()
        .enabled(bool("enabled", d.enabled()))
        .host(string("host", d.host()))
        .port(integer("port", d.port()))
        .inboundBufferSize(integer("inboundBufferSize", d.inboundBufferSize()))
        .deliveryBufferSize(integer("deliveryBufferSize", d.deliveryBufferSize()))
        .maxPacketSize(integer("maxPacketSize", d.maxPacketSize()))
        .maxClientIdLength(integer("maxClientIdLength", d.maxClientIdLength()))
        .maxInflightMessages(integer("maxInflightMessages", d.maxInflightMessages()))
        .maxQueuedMessages(integer("maxQueuedMessages", d.maxQueuedMessages()))
        .maxKeepAliveSeconds(integer("maxKeepAliveSeconds", d.maxKeepAliveSeconds()))
        .connectTimeoutSeconds(integer("connectTimeoutSeconds", d.connectTimeoutSeconds()))
        .authTimeoutSeconds(integer("authTimeoutSeconds", d.authTimeoutSeconds()))
        .tls(tls())
        .topicAliasMaximum(integer("topicAliasMaximum", d.topicAliasMaximum()))
        .maxSessionExpirySeconds(
            longInteger("maxSessionExpirySeconds", d.maxSessionExpirySeconds()))
        .mqtt311SessionExpirySeconds(
            longInteger("mqtt311SessionExpirySeconds", d.mqtt311SessionExpirySeconds()))
        .maxConnections(integer("maxConnections", d.maxConnections()))
        .maxQueuedBytes(longInteger("maxQueuedBytes", d.maxQueuedBytes()))
        .maxRetainedMessages(integer("maxRetainedMessages", d.maxRetainedMessages()))
        .maxRetainedBytes(longInteger("maxRetainedBytes", d.maxRetainedBytes()))
        .maxTopicLength(integer("maxTopicLength", d.maxTopicLength()))
        .maxTopicLevels(integer("maxTopicLevels", d.maxTopicLevels()))
        .maxPublishRate(integer("maxPublishRate", d.maxPublishRate()))
        .maxConnectRate(integer("maxConnectRate", d.maxConnectRate()))
        .memoryRefusalPercent(integer("memoryRefusalPercent", d.memoryRefusalPercent()))
        .ioThreads(integer("ioThreads", d.ioThreads()))
        .websocketPort(integer("websocketPort", d.websocketPort()))
        .websocketSslPort(integer("websocketSslPort", d.websocketSslPort()))
        .websocketPath(string("websocketPath", d.websocketPath()))
        .websocketTrustedProxies(list("websocketTrustedProxies", ""))
        .build();
    // A key that could not be parsed holds its (valid) default here, so range problems of the
    // other keys are reported alongside without repeating it.
    problems.addAll(config.problems());
    Requirements requirements = requirements();
    return new Result(config, requirements, List.copyOf(problems));
  }

  private Requirements requirements() {
    Requirements d = Requirements.defaults();
    String bridge = string("bridge", d.bridge());
    if (bridge.isEmpty()) {
      problems.add("bridge: must not be empty (auto, any, in-memory or a bridge name)");
      bridge = d.bridge();
    }
    return new Requirements(bridge, need("requireAuthenticator", d.authenticator()),
        need("requireAuthorizer", d.authorizer()), refusal(d.refusal()));
  }

  private Requirements.Refusal refusal(Requirements.Refusal fallback) {
    Object value = properties.get("authorizationRefusal");
    if (value == null) {
      return fallback;
    }
    try {
      return Requirements.Refusal.parse(value.toString().replace("-", "_"));
    } catch (IllegalArgumentException e) {
      problems.add("authorizationRefusal: '" + value + "' is not not-authorized or unspecified");
      return fallback;
    }
  }

  private Requirements.Need need(String key, Requirements.Need fallback) {
    Object value = properties.get(key);
    if (value == null) {
      return fallback;
    }
    try {
      return Requirements.Need.parse(value.toString());
    } catch (IllegalArgumentException e) {
      problems.add(key + ": '" + value + "' is not auto, true or false");
      return fallback;
    }
  }

  /**
   * The TLS listener's settings: on when {@code sslEnabled} is true, or when it is not set and a
   * key store is configured.
   */
  private TlsConfig tls() {
    String keystore = string("sslKeystorePath", "");
    boolean enabled = properties.get("sslEnabled") == null
        ? !keystore.isEmpty()
        : bool("sslEnabled", false);
    if (!enabled) {
      return null;
    }
    String keystorePassword = string("sslKeystorePassword", "");
    TlsConfig.ClientAuth clientAuth = TlsConfig.ClientAuth.NONE;
    String mode = string("sslClientAuth", "NONE").toUpperCase(java.util.Locale.ROOT);
    try {
      clientAuth = TlsConfig.ClientAuth.valueOf(mode);
    } catch (IllegalArgumentException e) {
      problems.add("sslClientAuth: '" + mode + "' is not NONE, OPTIONAL or REQUIRED");
    }
    return new TlsConfig(
        integer("sslPort", 8883),
        keystore,
        keystorePassword,
        string("sslKeystoreType", "PKCS12"),
        string("sslKeyPassword", keystorePassword),
        string("sslTruststorePath", ""),
        string("sslTruststorePassword", ""),
        string("sslTruststoreType", "PKCS12"),
        list("sslProtocols", "TLSv1.3,TLSv1.2"),
        list("sslCipherSuites", ""),
        clientAuth,
        bool("sslUsernameFromCertificate", false));
  }

  private List<String> list(String key, String fallback) {
    Object value = properties.get(key);
    List<String> items = new ArrayList<>();
    if (value instanceof String[] array) {
      for (String item : array) {
        if (!item.isBlank()) {
          items.add(item.trim());
        }
      }
      return items;
    }
    String text = value == null ? fallback : value.toString();
    for (String item : text.split(",")) {
      if (!item.isBlank()) {
        items.add(item.trim());
      }
    }
    return items;
  }

  private String string(String key, String fallback) {
    Object value = properties.get(key);
    return value == null ? fallback : value.toString().trim();
  }

  private boolean bool(String key, boolean fallback) {
    Object value = properties.get(key);
    if (value == null) {
      return fallback;
    }
    if (value instanceof Boolean b) {
      return b;
    }
    String text = value.toString().trim();
    if (text.equalsIgnoreCase("true")) {
      return true;
    }
    if (text.equalsIgnoreCase("false")) {
      return false;
    }
    problems.add(key + ": '" + text + "' is not true or false");
    return fallback;
  }

  private int integer(String key, int fallback) {
    long value = longInteger(key, fallback);
    if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
      problems.add(key + ": " + value + " is not a whole number in range");
      return fallback;
    }
    return (int) value;
  }

  private long longInteger(String key, long fallback) {
    Object value = properties.get(key);
    if (value == null) {
      return fallback;
    }
    if (value instanceof Number n) {
      long l = n.longValue();
      if (l != n.doubleValue()) {
        problems.add(key + ": " + value + " is not a whole number in range");
        return fallback;
      }
      return l;
    }
    String text = value.toString().trim();
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      problems.add(key + ": '" + text + "' is not a whole number");
      return fallback;
    }
  }
}
