package dev.courier.mqtt.transport.internal.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringReader;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Reading ConfigurationAdmin properties into a {@link TransportConfig}: defaults for missing keys,
 * strings as they come from {@code etc/*.cfg}, typed values as they come from the API, and every
 * bad value reported by its key.
 */
class TransportConfigReaderTest {

  /** Properties as Felix FileInstall hands them over from a {@code .cfg} file: all strings. */
  private static Map<String, Object> cfg(String text) {
    Properties properties = new Properties();
    try {
      properties.load(new StringReader(text));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    Map<String, Object> map = new HashMap<>();
    properties.forEach((key, value) -> map.put((String) key, value));
    return map;
  }

  @Test
  void whenNoProperties_thenDefaults() {
    TransportConfigReader.Result result = TransportConfigReader.read(Map.of());

    assertThat(result.valid()).isTrue();
    assertThat(result.problems()).isEmpty();
    assertThat(result.config()).isEqualTo(TransportConfig.defaults());
  }

  @Test
  void whenDefaults_thenTheyAreValidAndAsDocumented() {
    TransportConfig d = TransportConfig.defaults();
    assertThat(d.problems()).isEmpty();
    assertThat(d.enabled()).isTrue();
    assertThat(d.host()).isEqualTo("0.0.0.0");
    assertThat(d.port()).isEqualTo(1883);
    assertThat(d.inboundBufferSize()).isEqualTo(32768);
    assertThat(d.deliveryBufferSize()).isEqualTo(32768);
    assertThat(d.maxPacketSize()).isEqualTo(1_048_576);
    assertThat(d.maxClientIdLength()).isEqualTo(256);
    assertThat(d.maxInflightMessages()).isEqualTo(64);
    assertThat(d.maxQueuedMessages()).isEqualTo(10_000);
    assertThat(d.maxKeepAliveSeconds()).isEqualTo(65535);
    assertThat(d.connectTimeoutSeconds()).isEqualTo(10);
    assertThat(d.authTimeoutSeconds()).isEqualTo(15);
    assertThat(d.tls()).isNull();
    assertThat(d.topicAliasMaximum()).isEqualTo(16);
    assertThat(d.maxSessionExpirySeconds()).isEqualTo(0xFFFF_FFFFL);
    assertThat(d.mqtt311SessionExpirySeconds()).isEqualTo(0xFFFF_FFFFL);
    assertThat(d.maxConnections()).isZero();
    assertThat(d.maxQueuedBytes()).isEqualTo(64L * 1024 * 1024);
    assertThat(d.maxRetainedMessages()).isEqualTo(1_000_000);
    assertThat(d.maxRetainedBytes()).isEqualTo(256L * 1024 * 1024);
    assertThat(d.maxTopicLength()).isEqualTo(65_535);
    assertThat(d.maxTopicLevels()).isEqualTo(1024);
    assertThat(d.maxPublishRate()).isZero();
    assertThat(d.maxConnectRate()).isEqualTo(20_000);
    assertThat(d.memoryRefusalPercent()).isEqualTo(90);
    assertThat(d.ioThreads()).isZero();
    assertThat(d.websocketPort()).isEqualTo(TransportConfig.NO_LISTENER);
    assertThat(d.websocketSslPort()).isEqualTo(TransportConfig.NO_LISTENER);
    assertThat(d.websocketPath()).isEqualTo("/mqtt");
    assertThat(d.websocketTrustedProxies()).isEmpty();
    assertThat(TransportConfigReader.read(Map.of("websocketTrustedProxies", " 10.0.0.1 , ::1 "))
        .config().websocketTrustedProxies()).containsExactly("10.0.0.1", "::1");
  }

  @Test
  void whenBridgeLimitsAreSet_thenRead_asStringsFromCfgAndAsTypedValues() {
    TransportConfig fromCfg = TransportConfigReader.read(cfg("""
        maxQueuedBytes = 1048576
        maxRetainedMessages = 5000
        maxRetainedBytes = 8589934592
        """)).config();
    TransportConfig typed = TransportConfigReader.read(Map.of("maxQueuedBytes", 1024,
        "maxRetainedMessages", 1L, "maxRetainedBytes", 2048L)).config();

    assertThat(fromCfg.maxQueuedBytes()).isEqualTo(1_048_576);
    assertThat(fromCfg.maxRetainedMessages()).isEqualTo(5000);
    assertThat(fromCfg.maxRetainedBytes()).isEqualTo(8_589_934_592L);
    assertThat(typed).isEqualTo(TransportConfig.builder().maxQueuedBytes(1024)
        .maxRetainedMessages(1).maxRetainedBytes(2048).build());
  }

  @Test
  void whenMaxPublishRateIsSet_thenRead_asAStringFromCfgAndAsATypedValue() {
    assertThat(TransportConfigReader.read(cfg("maxPublishRate = 250")).config())
        .isEqualTo(TransportConfig.builder().maxPublishRate(250).build());
    assertThat(TransportConfigReader.read(Map.of("maxPublishRate", 1_000_000L)).config())
        .isEqualTo(TransportConfig.builder().maxPublishRate(1_000_000).build());
  }

  @Test
  void whenTopicLimitsAreSet_thenRead_asStringsFromCfgAndAsTypedValues() {
    TransportConfigReader.Result fromCfg = TransportConfigReader.read(cfg("""
        maxTopicLength = 256
        maxTopicLevels = 8
        """));
    TransportConfigReader.Result typed = TransportConfigReader.read(Map.of(
        "maxTopicLength", 1, "maxTopicLevels", 65535L));

    assertThat(fromCfg.problems()).isEmpty();
    assertThat(fromCfg.config())
        .isEqualTo(TransportConfig.builder().maxTopicLength(256).maxTopicLevels(8).build());
    assertThat(typed.problems()).isEmpty();
    assertThat(typed.config())
        .isEqualTo(TransportConfig.builder().maxTopicLength(1).maxTopicLevels(65535).build());
  }

  @Test
  void whenAdmissionLimitsAreSet_thenRead_asStringsFromCfgAndAsTypedValues() {
    TransportConfigReader.Result fromCfg = TransportConfigReader.read(cfg("""
        maxConnectRate = 500
        memoryRefusalPercent = 0
        """));
    TransportConfigReader.Result typed = TransportConfigReader.read(Map.of(
        "maxConnectRate", 0, "memoryRefusalPercent", 75L));

    assertThat(fromCfg.problems()).isEmpty();
    assertThat(fromCfg.config().maxConnectRate()).isEqualTo(500);
    assertThat(fromCfg.config().memoryRefusalPercent()).isZero();
    assertThat(typed.problems()).isEmpty();
    assertThat(typed.config().maxConnectRate()).isZero();
    assertThat(typed.config().memoryRefusalPercent()).isEqualTo(75);
  }

  @Test
  void whenServerLimitsAreSet_thenRead_asStringsFromCfgAndAsTypedValues() {
    TransportConfigReader.Result fromCfg = TransportConfigReader.read(cfg("""
        topicAliasMaximum = 0
        maxSessionExpirySeconds = 86400
        mqtt311SessionExpirySeconds = 4294967295
        """));
    TransportConfigReader.Result typed = TransportConfigReader.read(Map.of(
        "topicAliasMaximum", 100, "maxSessionExpirySeconds", 0L,
        "mqtt311SessionExpirySeconds", 3600L));

    assertThat(fromCfg.problems()).isEmpty();
    assertThat(fromCfg.config().topicAliasMaximum()).isZero();
    assertThat(fromCfg.config().maxSessionExpirySeconds()).isEqualTo(86_400L);
    assertThat(fromCfg.config().mqtt311SessionExpirySeconds()).isEqualTo(0xFFFF_FFFFL);
    assertThat(typed.problems()).isEmpty();
    assertThat(typed.config()).isEqualTo(TransportConfig.builder().topicAliasMaximum(100)
        .maxSessionExpirySeconds(0).mqtt311SessionExpirySeconds(3600).build());
  }

  @Test
  void whenUnrelatedKeysArePresent_thenTheyAreIgnored() {
    TransportConfigReader.Result result = TransportConfigReader.read(Map.of(
        "service.pid", "dev.courier.mqtt.transport", "felix.fileinstall.filename", "file:/x.cfg",
        "component.name", "x"));

    assertThat(result.valid()).isTrue();
    assertThat(result.config()).isEqualTo(TransportConfig.defaults());
  }

  @Test
  void whenStringValuesFromCfgFile_thenParsedAndTrimmed() {
    TransportConfigReader.Result result = TransportConfigReader.read(cfg("""
        enabled = false
        host = 127.0.0.1  \s
        port = 18830
        inboundBufferSize = 4096
        deliveryBufferSize = 65536
        maxPacketSize = 2048
        maxClientIdLength = 64
        maxInflightMessages = 16
        maxQueuedMessages = 500
        maxKeepAliveSeconds = 120
        connectTimeoutSeconds = 5
        """));

    assertThat(result.problems()).isEmpty();
    assertThat(result.config()).isEqualTo(TransportConfig.builder().enabled(false)
        .host("127.0.0.1").port(18830).inboundBufferSize(4096).deliveryBufferSize(65536)
        .maxPacketSize(2048).maxClientIdLength(64).maxInflightMessages(16).maxQueuedMessages(500)
        .maxKeepAliveSeconds(120).connectTimeoutSeconds(5).build());
  }

  @Test
  void whenTypedValuesFromTheApi_thenAccepted() {
    TransportConfigReader.Result result = TransportConfigReader.read(Map.of(
        "enabled", Boolean.TRUE, "port", 0, "maxPacketSize", 4096L, "maxQueuedMessages",
        Short.valueOf((short) 7)));

    assertThat(result.problems()).isEmpty();
    assertThat(result.config().port()).isZero();
    assertThat(result.config().maxPacketSize()).isEqualTo(4096);
    assertThat(result.config().maxQueuedMessages()).isEqualTo(7);
  }

  @Test
  void whenBooleanIsWrittenInAnyCase_thenAccepted() {
    assertThat(TransportConfigReader.read(Map.of("enabled", "FALSE")).config().enabled())
        .isFalse();
    assertThat(TransportConfigReader.read(Map.of("enabled", " True ")).config().enabled())
        .isTrue();
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource(delimiter = '|', value = {
      "port | abc",
      "port | 70000",
      "port | -1",
      "port | 1883.5",
      "port | ''",
      "port | 99999999999",
      "enabled | maybe",
      "enabled | yes",
      "enabled | 1",
      "host | '   '",
      "maxPacketSize | 15",
      "maxPacketSize | 268435461",
      "maxClientIdLength | 22",
      "maxInflightMessages | 0",
      "maxInflightMessages | 65536",
      "maxQueuedMessages | 0",
      "maxKeepAliveSeconds | 0",
      "connectTimeoutSeconds | 0",
      "connectTimeoutSeconds | 3601",
      "inboundBufferSize | 63",
      "deliveryBufferSize | 63",
      "topicAliasMaximum | -1",
      "topicAliasMaximum | 65536",
      "topicAliasMaximum | many",
      "maxSessionExpirySeconds | -1",
      "maxSessionExpirySeconds | 4294967296",
      "maxSessionExpirySeconds | 1.5",
      "mqtt311SessionExpirySeconds | 0",
      "mqtt311SessionExpirySeconds | 4294967296",
      "mqtt311SessionExpirySeconds | never",
      "authorizationRefusal | silent",
      "maxConnections | -1",
      "maxConnections | lots",
      "maxQueuedBytes | 1023",
      "maxQueuedBytes | 64MB",
      "maxRetainedMessages | 0",
      "maxRetainedMessages | 2147483648",
      "maxRetainedBytes | 1023",
      "maxRetainedBytes | -1",
      "maxTopicLength | 0",
      "maxTopicLength | 65536",
      "maxTopicLength | long",
      "maxTopicLevels | 0",
      "maxTopicLevels | 65536",
      "maxPublishRate | -1",
      "maxPublishRate | 1000001",
      "maxPublishRate | fast",
      "maxConnectRate | -1",
      "maxConnectRate | 1000001",
      "maxConnectRate | fast",
      "memoryRefusalPercent | -1",
      "memoryRefusalPercent | 100",
      "memoryRefusalPercent | high",
      "ioThreads | -1",
      "ioThreads | 1025",
      "ioThreads | many",
      "websocketPort | -2",
      "websocketPort | 65536",
      "websocketPort | web",
      "websocketSslPort | -2",
      "websocketSslPort | 65536",
      "websocketPath | mqtt",
      "websocketPath | /mq tt",
      "websocketPath | /mqtt?x",
      "websocketTrustedProxies | proxy.example.com",
      "websocketTrustedProxies | 10.0.0.256",
      "websocketTrustedProxies | 10.0.0",
  })
  void whenValueIsBad_thenInvalidAndTheProblemNamesTheKey(String key, String value) {
    TransportConfigReader.Result result = TransportConfigReader.read(Map.of(key, value));

    assertThat(result.valid()).isFalse();
    assertThat(result.problems()).hasSize(1);
    assertThat(result.problems().get(0)).startsWith(key + ":").contains(value.trim());
  }

  @Test
  void whenAuthorizationRefusalIsSet_thenRead_andItsDefaultIsNotAuthorized() {
    assertThat(TransportConfigReader.read(Map.of()).requirements().refusal())
        .isEqualTo(Requirements.Refusal.NOT_AUTHORIZED);
    assertThat(TransportConfigReader.read(Map.of("authorizationRefusal", " unspecified "))
        .requirements().refusal()).isEqualTo(Requirements.Refusal.UNSPECIFIED);
    assertThat(TransportConfigReader.read(Map.of("authorizationRefusal", "Not-Authorized"))
        .requirements().refusal()).isEqualTo(Requirements.Refusal.NOT_AUTHORIZED);
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource({
      "port, 0", "port, 65535", "maxPacketSize, 16", "maxPacketSize, 268435460",
      "maxClientIdLength, 23", "maxInflightMessages, 65535", "maxKeepAliveSeconds, 65535",
      "connectTimeoutSeconds, 3600", "topicAliasMaximum, 0", "topicAliasMaximum, 65535",
      "maxSessionExpirySeconds, 0", "maxSessionExpirySeconds, 4294967295",
      "mqtt311SessionExpirySeconds, 1", "mqtt311SessionExpirySeconds, 4294967295",
      "maxTopicLength, 1", "maxTopicLength, 65535", "maxTopicLevels, 1",
      "maxTopicLevels, 65535", "maxPublishRate, 0", "maxPublishRate, 1",
      "maxPublishRate, 1000000",
      "maxConnectRate, 0", "maxConnectRate, 1000000", "memoryRefusalPercent, 0",
      "memoryRefusalPercent, 99", "ioThreads, 0", "ioThreads, 1", "ioThreads, 1024",
      "websocketPort, -1", "websocketPort, 0", "websocketPort, 65535", "websocketSslPort, -1",
      "websocketSslPort, 8084", "websocketPath, /", "websocketPath, /ws/mqtt",
      "websocketTrustedProxies, 10.0.0.1", "websocketTrustedProxies, ::1",
      "websocketTrustedProxies, [2001:db8::1]",
  })
  void whenValueIsAtTheEdgeOfItsRange_thenValid(String key, String value) {
    TransportConfigReader.Result result = TransportConfigReader.read(Map.of(key, value));
    assertThat(result.problems()).isEmpty();
  }

  @Test
  void whenAWebSocketPortIsAnotherListenersPort_thenTheProblemNamesIt() {
    assertThat(TransportConfigReader.read(Map.of("port", "1883", "websocketPort", "1883"))
        .problems()).singleElement().asString().startsWith("websocketPort:");
    Map<String, Object> tls = Map.of("sslKeystorePath", "/etc/keystore.p12", "sslPort", "8883",
        "websocketPort", "8083", "websocketSslPort", "8883");
    assertThat(TransportConfigReader.read(tls).problems()).singleElement().asString()
        .startsWith("websocketSslPort:");
    // Without TLS the secure WebSocket listener does not run, so its port collides with nothing.
    assertThat(TransportConfigReader.read(Map.of("websocketSslPort", "1883")).problems())
        .isEmpty();
  }

  @Test
  void whenTypedNumberIsFractionalOrTooLarge_thenProblemNamesTheKey() {
    assertThat(TransportConfigReader.read(Map.of("port", 1883.5)).problems())
        .singleElement().asString().startsWith("port:");
    assertThat(TransportConfigReader.read(Map.of("maxQueuedMessages", Long.MAX_VALUE)).problems())
        .singleElement().asString().startsWith("maxQueuedMessages:");
  }

  @Test
  void whenSeveralValuesAreBad_thenAllAreReportedTogether() {
    TransportConfigReader.Result result = TransportConfigReader.read(cfg("""
        port = abc
        enabled = maybe
        maxInflightMessages = lots
        """));

    assertThat(result.valid()).isFalse();
    assertThat(result.problems()).hasSize(3);
    assertThat(result.problems()).anySatisfy(p -> assertThat(p).startsWith("port:"));
    assertThat(result.problems()).anySatisfy(p -> assertThat(p).startsWith("enabled:"));
    assertThat(result.problems()).anySatisfy(p -> assertThat(p).startsWith("maxInflightMessages:"));
  }

  @Test
  void whenUnparsableAndOutOfRangeValuesAreMixed_thenBothKindsAreReported() {
    TransportConfigReader.Result result = TransportConfigReader.read(cfg("""
        port = abc
        maxPacketSize = 1
        connectTimeoutSeconds = 0
        """));

    assertThat(result.problems()).hasSize(3);
    assertThat(result.problems()).anySatisfy(p -> assertThat(p).startsWith("port:"));
    assertThat(result.problems()).anySatisfy(p -> assertThat(p).startsWith("maxPacketSize:"));
    assertThat(result.problems())
        .anySatisfy(p -> assertThat(p).startsWith("connectTimeoutSeconds:"));
  }

  @Test
  void whenSeveralValuesAreOutOfRange_thenAllAreReportedTogether() {
    TransportConfigReader.Result result = TransportConfigReader.read(Map.of(
        "port", "70000", "maxInflightMessages", "0", "host", ""));

    assertThat(result.problems()).hasSize(3);
    assertThat(result.problems()).anySatisfy(p -> assertThat(p).startsWith("port:"));
    assertThat(result.problems()).anySatisfy(p -> assertThat(p).startsWith("host:"));
    assertThat(result.problems())
        .anySatisfy(p -> assertThat(p).startsWith("maxInflightMessages:"));
  }

  @Test
  void whenIoThreadsIsAuto_thenOnePerProcessor_elseTheSetting() {
    assertThat(TransportConfig.ioThreadsFor(0, 1)).isEqualTo(1);
    assertThat(TransportConfig.ioThreadsFor(0, 2)).isEqualTo(2);
    assertThat(TransportConfig.ioThreadsFor(0, 8)).isEqualTo(8);
    assertThat(TransportConfig.ioThreadsFor(3, 2)).isEqualTo(3);
    assertThat(TransportConfigReader.read(Map.of("ioThreads", " 2 ")).config().ioThreads())
        .isEqualTo(2);
  }
}
