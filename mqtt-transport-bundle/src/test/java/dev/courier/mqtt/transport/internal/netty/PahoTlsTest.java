package dev.courier.mqtt.transport.internal.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.courier.mqtt.transport.internal.bridge.memory.InMemoryBridge;
import dev.courier.mqtt.transport.internal.config.TlsConfig;
import dev.courier.mqtt.transport.internal.config.TransportConfig;
import dev.courier.mqtt.transport.internal.protocol.context.AccessControl;
import dev.courier.mqtt.transport.spi.auth.AuthenticationResult;
import dev.courier.mqtt.transport.spi.auth.ConnectCredentials;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TLS listener with real key stores made by the JDK's keytool: server-only TLS, required
 * client certificates, and the user name taken from the certificate.
 */
class PahoTlsTest {

  private static final String PASSWORD = "changeit";

  @TempDir
  static Path dir;

  private final RunningTransport server = new RunningTransport();
  private final NettyTransport transport = server.transport;
  private final InMemoryBridge bridge = server.bridge;
  private final List<MqttClient> clients = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void makeStores() throws Exception {
    keytool("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2",
        "-storetype", "PKCS12", "-keystore", "server.p12", "-storepass", PASSWORD);
    keytool("-genkeypair", "-alias", "client", "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=alice, O=Courier tests", "-validity", "2", "-storetype", "PKCS12",
        "-keystore", "client.p12", "-storepass", PASSWORD);
    keytool("-exportcert", "-alias", "server", "-keystore", "server.p12", "-storepass", PASSWORD,
        "-file", "server.cer");
    keytool("-exportcert", "-alias", "client", "-keystore", "client.p12", "-storepass", PASSWORD,
        "-file", "client.cer");
    keytool("-importcert", "-noprompt", "-alias", "server", "-file", "server.cer", "-storetype",
        "PKCS12", "-keystore", "client-trust.p12", "-storepass", PASSWORD);
    keytool("-importcert", "-noprompt", "-alias", "client", "-file", "client.cer", "-storetype",
        "PKCS12", "-keystore", "server-trust.p12", "-storepass", PASSWORD);
  }

  private static void keytool(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).directory(dir.toFile())
        .redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("keytool finished").isTrue();
    assertThat(process.exitValue()).as("keytool %s: %s", args[0], output).isZero();
  }

  @AfterEach
  void stop() {
    RunningTransport.closeClients(clients);
    server.close();
  }

  private TransportConfig config(TlsConfig.ClientAuth clientAuth, boolean usernameFromCert) {
    TlsConfig tls = new TlsConfig(0, dir.resolve("server.p12").toString(), PASSWORD, "PKCS12",
        PASSWORD, dir.resolve("server-trust.p12").toString(), PASSWORD, "PKCS12",
        List.of("TLSv1.3", "TLSv1.2"), List.of(), clientAuth, usernameFromCert);
    return RunningTransport.withPort(TransportConfig.defaults(), 0).withTls(tls);
  }

  private MqttClient connect(String uri, String id, boolean withClientCertificate)
      throws Exception {
    MqttClient client = new MqttClient(uri, id, new MemoryPersistence());
    clients.add(client);
    MqttConnectOptions options = new MqttConnectOptions();
    options.setConnectionTimeout(5);
    if (uri.startsWith("ssl:") || uri.startsWith("wss:")) {
      options.setSocketFactory(sslContext(withClientCertificate).getSocketFactory());
    }
    client.connect(options);
    return client;
  }

  private static SSLContext sslContext(boolean withClientCertificate) throws Exception {
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(load("client-trust.p12"));
    KeyManagerFactory keys = null;
    if (withClientCertificate) {
      keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(load("client.p12"), PASSWORD.toCharArray());
    }
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keys == null ? null : keys.getKeyManagers(), trust.getTrustManagers(), null);
    return context;
  }

  private static KeyStore load(String file) throws Exception {
    try (InputStream in = Files.newInputStream(dir.resolve(file))) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, PASSWORD.toCharArray());
      return store;
    }
  }

  private String tlsUri() {
    return "ssl://127.0.0.1:" + transport.tlsAddress().getPort();
  }

  private String plainUri() {
    return "tcp://127.0.0.1:" + transport.boundAddress().getPort();
  }

  @Test
  void whenTlsWithoutClientAuth_thenTlsAndPlainClientsExchangeMessages() throws Exception {
    server.rebind(config(TlsConfig.ClientAuth.NONE, false));

    PahoInteropTest.Received received = new PahoInteropTest.Received();
    MqttClient subscriber = connect(tlsUri(), "tls-sub", false);
    subscriber.setCallback(received);
    subscriber.subscribe("tls/#", 1);
    MqttClient publisher = connect(plainUri(), "plain-pub", false);
    publisher.publish("tls/x", "over tls".getBytes(StandardCharsets.UTF_8), 1, false);

    assertThat(received.next().text()).isEqualTo("over tls");
  }

  @Test
  void whenWebSocketSslPortIsSet_thenAClientOverWssUsesTheTlsKeyStore_andTalksToATcpClient()
      throws Exception {
    server.rebind(config(TlsConfig.ClientAuth.NONE, false).toBuilder().websocketSslPort(0)
        .build());

    PahoInteropTest.Received received = new PahoInteropTest.Received();
    MqttClient subscriber = connect("wss://127.0.0.1:"
        + transport.secureWebsocketAddress().getPort() + "/mqtt", "wss-sub", false);
    subscriber.setCallback(received);
    subscriber.subscribe("wss/#", 1);
    MqttClient publisher = connect(plainUri(), "plain-pub", false);
    publisher.publish("wss/x", "over wss".getBytes(StandardCharsets.UTF_8), 1, false);

    assertThat(received.next().text()).isEqualTo("over wss");
  }

  @Test
  void whenTlsIsOff_thenNoSecureWebSocketListenerRuns_whateverItsPort() {
    server.rebind(RunningTransport.loopback().websocketSslPort(0).build());

    assertThat(transport.secureWebsocketAddress()).isNull();
    server.rebind(config(TlsConfig.ClientAuth.NONE, false).toBuilder().websocketSslPort(0)
        .build());
    assertThat(transport.secureWebsocketAddress()).isNotNull();
    server.rebind(RunningTransport.loopback().websocketSslPort(0).build());
    assertThat(transport.secureWebsocketAddress()).as("closed with the TLS listener").isNull();
  }

  @Test
  void whenClientCertificateRequired_thenRefusedWithout_andAcceptedWith() throws Exception {
    server.rebind(config(TlsConfig.ClientAuth.REQUIRED, false));

    assertThatThrownBy(() -> connect(tlsUri(), "no-cert", false))
        .isInstanceOf(MqttException.class);
    MqttClient withCert = connect(tlsUri(), "with-cert", true);
    assertThat(withCert.isConnected()).isTrue();
  }

  @Test
  void whenUsernameFromCertificate_thenAuthenticatorSeesTheSubjectCn() throws Exception {
    List<ConnectCredentials> seen = new CopyOnWriteArrayList<>();
    AccessControl access = AccessControl.open();
    access.authenticator(credentials -> {
      seen.add(credentials);
      return CompletableFuture.completedFuture(
          "alice".equals(credentials.username())
              ? AuthenticationResult.accepted("alice", Set.of("sensors"))
              : AuthenticationResult.badCredentials("unknown"));
    });
    server.rebind(config(TlsConfig.ClientAuth.OPTIONAL, true), access);

    MqttClient client = connect(tlsUri(), "cert-user", true);

    assertThat(client.isConnected()).isTrue();
    assertThat(seen).hasSize(1);
    assertThat(seen.get(0).username()).isEqualTo("alice");
    assertThat(seen.get(0).peerCertificates()).hasSize(1);
    assertThat(seen.get(0).password()).isNull();
    // Over plain TCP there is no certificate, hence no user: refused.
    assertThatThrownBy(() -> connect(plainUri(), "plain-user", false))
        .isInstanceOf(MqttException.class)
        .extracting(e -> ((MqttException) e).getReasonCode())
        .isEqualTo((int) MqttException.REASON_CODE_FAILED_AUTHENTICATION);
  }

  @Test
  void whenKeystorePasswordWrong_thenRebindRejectedNamingTheKey_andListenerStays()
      throws Exception {
    server.rebind(config(TlsConfig.ClientAuth.NONE, false));
    int plain = transport.boundAddress().getPort();
    TransportConfig good = config(TlsConfig.ClientAuth.NONE, false);
    TlsConfig bad = new TlsConfig(0, good.tls().keystorePath(), "wrong", "PKCS12", "wrong", "",
        "", "PKCS12", List.of("TLSv1.3"), List.of(), TlsConfig.ClientAuth.NONE, false);

    assertThatThrownBy(() -> server.rebind(good.withTls(bad)))
        .isInstanceOf(TlsSettingsException.class)
        .hasMessageStartingWith("sslKeystorePath")
        .hasMessageNotContaining("wrong");
    assertThat(transport.boundAddress().getPort()).isEqualTo(plain);
    assertThat(connect(tlsUri(), "still-tls", false).isConnected()).isTrue();
  }
}
