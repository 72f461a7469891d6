package dev.courier.mqtt.transport.internal.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code ssl*} keys: when TLS is on, defaults, and each bad value named by its key. */
class TlsConfigReaderTest {

  @Test
  void whenNoSslKeys_thenNoTlsListener() {
    assertThat(TransportConfigReader.read(Map.of()).config().tls()).isNull();
  }

  @Test
  void whenKeystoreConfiguredAndSslEnabledUnset_thenTlsOnWithDefaults() {
    TransportConfigReader.Result result = TransportConfigReader.read(Map.of(
        "sslKeystorePath", "/etc/keys.p12", "sslKeystorePassword", "secret"));

    assertThat(result.problems()).isEmpty();
    TlsConfig tls = result.config().tls();
    assertThat(tls.port()).isEqualTo(8883);
    assertThat(tls.keystoreType()).isEqualTo("PKCS12");
    assertThat(tls.keyPassword()).isEqualTo("secret");
    assertThat(tls.protocols()).containsExactly("TLSv1.3", "TLSv1.2");
    assertThat(tls.cipherSuites()).isEmpty();
    assertThat(tls.clientAuth()).isEqualTo(TlsConfig.ClientAuth.NONE);
    assertThat(tls.usernameFromCertificate()).isFalse();
    assertThat(tls.toString()).doesNotContain("secret");
  }

  @Test
  void whenSslDisabledExplicitly_thenNoTlsEvenWithKeystore() {
    TransportConfigReader.Result result = TransportConfigReader.read(Map.of(
        "sslEnabled", "false", "sslKeystorePath", "/etc/keys.p12"));

    assertThat(result.problems()).isEmpty();
    assertThat(result.config().tls()).isNull();
  }

  @Test
  void whenCfgStrings_thenListsAndEnumParsed() {
    TransportConfigReader.Result result = TransportConfigReader.read(Map.of(
        "sslEnabled", "true", "sslKeystorePath", "/k.p12", "sslPort", "18883",
        "sslProtocols", "TLSv1.3", "sslCipherSuites", "TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384",
        "sslClientAuth", "required", "sslUsernameFromCertificate", "true"));

    assertThat(result.problems()).isEmpty();
    TlsConfig tls = result.config().tls();
    assertThat(tls.port()).isEqualTo(18883);
    assertThat(tls.protocols()).containsExactly("TLSv1.3");
    assertThat(tls.cipherSuites())
        .containsExactly("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384");
    assertThat(tls.clientAuth()).isEqualTo(TlsConfig.ClientAuth.REQUIRED);
    assertThat(tls.usernameFromCertificate()).isTrue();
  }

  @Test
  void whenSslValuesBad_thenEachProblemNamesItsKey() {
    TransportConfigReader.Result result = TransportConfigReader.read(Map.of(
        "sslEnabled", "true", "sslClientAuth", "sometimes", "sslPort", "1883",
        "authTimeoutSeconds", "0"));

    assertThat(result.valid()).isFalse();
    assertThat(result.problems()).anySatisfy(p -> assertThat(p).startsWith("sslClientAuth:"))
        .anySatisfy(p -> assertThat(p).startsWith("sslKeystorePath:"))
        .anySatisfy(p -> assertThat(p).startsWith("sslPort:"))
        .anySatisfy(p -> assertThat(p).startsWith("authTimeoutSeconds:"));
  }
}
