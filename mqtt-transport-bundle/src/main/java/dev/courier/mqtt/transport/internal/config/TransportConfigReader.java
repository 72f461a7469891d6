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

  private TransportConfigReader() {}

  /**
   * Reads and validates.
   *
   * @param properties the component properties; may hold unrelated keys, which are ignored
   * @return the config and the problems found (each names its key)
   */
  public static Result read(Map<String, ?> properties) {
    TransportConfig d = TransportConfig.defaults();
    List<String> problems = new ArrayList<>();
    TransportConfig config = new TransportConfig(
        bool(properties, "enabled", d.enabled(), problems),
        string(properties, "host", d.host()),
        integer(properties, "port", d.port(), problems),
        integer(properties, "inboundBufferSize", d.inboundBufferSize(), problems),
        integer(properties, "deliveryBufferSize", d.deliveryBufferSize(), problems),
        integer(properties, "maxPacketSize", d.maxPacketSize(), problems),
        integer(properties, "maxClientIdLength", d.maxClientIdLength(), problems),
        integer(properties, "maxInflightMessages", d.maxInflightMessages(), problems),
        integer(properties, "maxQueuedMessages", d.maxQueuedMessages(), problems),
        integer(properties, "maxKeepAliveSeconds", d.maxKeepAliveSeconds(), problems),
        integer(properties, "connectTimeoutSeconds", d.connectTimeoutSeconds(), problems),
        integer(properties, "authTimeoutSeconds", d.authTimeoutSeconds(), problems),
        tls(properties, problems),
        integer(properties, "topicAliasMaximum", d.topicAliasMaximum(), problems),
        longInteger(properties, "maxSessionExpirySeconds", d.maxSessionExpirySeconds(), problems),
        longInteger(properties, "mqtt311SessionExpirySeconds", d.mqtt311SessionExpirySeconds(),
            problems),
        integer(properties, "maxConnections", d.maxConnections(), problems),
        longInteger(properties, "maxQueuedBytes", d.maxQueuedBytes(), problems),
        integer(properties, "maxRetainedMessages", d.maxRetainedMessages(), problems),
        longInteger(properties, "maxRetainedBytes", d.maxRetainedBytes(), problems),
        integer(properties, "maxTopicLength", d.maxTopicLength(), problems),
        integer(properties, "maxTopicLevels", d.maxTopicLevels(), problems),
        integer(properties, "maxPublishRate", d.maxPublishRate(), problems),
        integer(properties, "maxConnectRate", d.maxConnectRate(), problems),
        integer(properties, "memoryRefusalPercent", d.memoryRefusalPercent(), problems));
    // A key that could not be parsed holds its (valid) default here, so range problems of the
    // other keys are reported alongside without repeating it.
    problems.addAll(config.problems());
    Requirements requirements = requirements(properties, problems);
    return new Result(config, requirements, List.copyOf(problems));
  }

  private static Requirements requirements(Map<String, ?> properties, List<String> problems) {
    Requirements d = Requirements.defaults();
    String bridge = string(properties, "bridge", d.bridge());
    if (bridge.isEmpty()) {
      problems.add("bridge: must not be empty (auto, any, in-memory or a bridge name)");
      bridge = d.bridge();
    }
    return new Requirements(bridge,
        need(properties, "requireAuthenticator", d.authenticator(), problems),
        need(properties, "requireAuthorizer", d.authorizer(), problems),
        refusal(properties, d.refusal(), problems));
  }

  private static Requirements.Refusal refusal(Map<String, ?> properties,
      Requirements.Refusal fallback, List<String> problems) {
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

  private static Requirements.Need need(Map<String, ?> properties, String key,
      Requirements.Need fallback, List<String> problems) {
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
  private static TlsConfig tls(Map<String, ?> properties, List<String> problems) {
    String keystore = string(properties, "sslKeystorePath", "");
    boolean enabled = properties.get("sslEnabled") == null
        ? !keystore.isEmpty()
        : bool(properties, "sslEnabled", false, problems);
    if (!enabled) {
      return null;
    }
    String keystorePassword = string(properties, "sslKeystorePassword", "");
    TlsConfig.ClientAuth clientAuth = TlsConfig.ClientAuth.NONE;
    String mode = string(properties, "sslClientAuth", "NONE").toUpperCase(java.util.Locale.ROOT);
    try {
      clientAuth = TlsConfig.ClientAuth.valueOf(mode);
    } catch (IllegalArgumentException e) {
      problems.add("sslClientAuth: '" + mode + "' is not NONE, OPTIONAL or REQUIRED");
    }
    return new TlsConfig(
        integer(properties, "sslPort", 8883, problems),
        keystore,
        keystorePassword,
        string(properties, "sslKeystoreType", "PKCS12"),
        string(properties, "sslKeyPassword", keystorePassword),
        string(properties, "sslTruststorePath", ""),
        string(properties, "sslTruststorePassword", ""),
        string(properties, "sslTruststoreType", "PKCS12"),
        list(properties, "sslProtocols", "TLSv1.3,TLSv1.2"),
        list(properties, "sslCipherSuites", ""),
        clientAuth,
        bool(properties, "sslUsernameFromCertificate", false, problems));
  }

  private static List<String> list(Map<String, ?> properties, String key, String fallback) {
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

  private static String string(Map<String, ?> properties, String key, String fallback) {
    Object value = properties.get(key);
    return value == null ? fallback : value.toString().trim();
  }

  private static boolean bool(Map<String, ?> properties, String key, boolean fallback,
      List<String> problems) {
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

  private static int integer(Map<String, ?> properties, String key, int fallback,
      List<String> problems) {
    long value = longInteger(properties, key, fallback, problems);
    if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
      problems.add(key + ": " + value + " is not a whole number in range");
      return fallback;
    }
    return (int) value;
  }

  private static long longInteger(Map<String, ?> properties, String key, long fallback,
      List<String> problems) {
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
