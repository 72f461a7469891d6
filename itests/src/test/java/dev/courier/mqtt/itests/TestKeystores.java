package dev.courier.mqtt.itests;

import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.ops4j.pax.exam.Option;

/**
 * Key stores for the TLS tests, made with the JDK's {@code keytool} (nothing downloaded): a
 * self-signed server certificate for CN=localhost with the subject alternative names
 * {@code dns:localhost} and {@code ip:127.0.0.1}, self-signed client certificates for {@code alice}
 * (trusted by the server) and {@code mallory} (not trusted), and the two trust stores. All PKCS12,
 * password {@value #PASSWORD}.
 *
 * <p>{@link #create(Path)} runs in the test driver JVM before Karaf boots; the other methods inside
 * the container, on the files that the driver made.
 */
public final class TestKeystores {

  /** The system property that tells the container where the stores are. */
  public static final String DIR_PROPERTY = "itest.tls.dir";

  /** Password of every store and key. */
  public static final String PASSWORD = "changeit";

  /** The server's key and certificate. */
  public static final String SERVER_KEYSTORE = "server-keystore.p12";

  /** What the server trusts: alice's certificate. */
  public static final String SERVER_TRUSTSTORE = "server-truststore.p12";

  /** What the clients trust: the server's certificate. */
  public static final String CLIENT_TRUSTSTORE = "client-truststore.p12";

  private TestKeystores() {}

  /** The key store of a client certificate whose subject is CN={@code name}. */
  public static String clientKeystore(String name) {
    return "client-" + name + "-keystore.p12";
  }

  /**
   * Options for the test driver: makes the stores (in the build directory's {@code tls} folder),
   * tells the container where they are, and writes the TLS keys into the transport's configuration
   * before boot.
   *
   * @param sslPort the TLS port
   * @param clientAuth NONE, OPTIONAL or REQUIRED
   */
  public static Option[] transportTlsOptions(int sslPort, String clientAuth) {
    Path dir = create(Path.of(System.getProperty("itest.build.dir"), "tls"));
    String cfg = "etc/" + CourierKarafTestSupport.TRANSPORT_PID + ".cfg";
    return new Option[] {
      systemProperty(DIR_PROPERTY).value(dir.toString()),
      editConfigurationFilePut(cfg, "sslPort", String.valueOf(sslPort)),
      editConfigurationFilePut(cfg, "sslKeystorePath", dir.resolve(SERVER_KEYSTORE).toString()),
      editConfigurationFilePut(cfg, "sslKeystorePassword", PASSWORD),
      editConfigurationFilePut(cfg, "sslKeystoreType", "PKCS12"),
      editConfigurationFilePut(cfg, "sslTruststorePath", dir.resolve(SERVER_TRUSTSTORE).toString()),
      editConfigurationFilePut(cfg, "sslTruststorePassword", PASSWORD),
      editConfigurationFilePut(cfg, "sslClientAuth", clientAuth),
    };
  }

  /**
   * Creates the stores in {@code dir} unless they exist already (one set serves every test class).
   *
   * @return the directory
   */
  public static synchronized Path create(Path dir) {
    try {
      if (Files.exists(dir.resolve(CLIENT_TRUSTSTORE))) {
        return dir;
      }
      Files.createDirectories(dir);
      genkeypair(dir, SERVER_KEYSTORE, "server", "CN=localhost, OU=Courier MQTT itests",
          "SAN=dns:localhost,ip:127.0.0.1");
      genkeypair(dir, clientKeystore("alice"), "alice", "CN=alice, OU=Courier MQTT itests", null);
      genkeypair(dir, clientKeystore("mallory"), "mallory", "CN=mallory, OU=Courier MQTT itests", null);
      exportAndTrust(dir, SERVER_KEYSTORE, "server", CLIENT_TRUSTSTORE);
      exportAndTrust(dir, clientKeystore("alice"), "alice", SERVER_TRUSTSTORE);
      return dir;
    } catch (IOException e) {
      throw new IllegalStateException("keytool failed", e);
    }
  }

  private static void genkeypair(Path dir, String store, String alias, String dname, String ext)
      throws IOException {
    List<String> args = new ArrayList<>(List.of(
        "-genkeypair", "-noprompt", "-alias", alias, "-keyalg", "RSA", "-keysize", "2048",
        "-validity", "30", "-dname", dname,
        "-storetype", "PKCS12", "-keystore", store, "-storepass", PASSWORD));
    if (ext != null) {
      args.addAll(List.of("-ext", ext));
    }
    keytool(dir, args);
  }

  private static void exportAndTrust(Path dir, String store, String alias, String truststore)
      throws IOException {
    String certFile = alias + ".cer";
    keytool(dir, List.of("-exportcert", "-rfc", "-alias", alias, "-storetype", "PKCS12",
        "-keystore", store, "-storepass", PASSWORD, "-file", certFile));
    keytool(dir, List.of("-importcert", "-noprompt", "-alias", alias, "-file", certFile,
        "-storetype", "PKCS12", "-keystore", truststore, "-storepass", PASSWORD));
  }

  private static void keytool(Path dir, List<String> args) throws IOException {
    File keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toFile();
    List<String> command = new ArrayList<>();
    command.add(keytool.getPath());
    command.addAll(args);
    Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    try {
      byte[] output = process.getInputStream().readAllBytes();
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IOException("keytool " + args.get(0) + " failed: " + new String(output, StandardCharsets.UTF_8));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  // ---------------------------------------------------------------- inside the container

  /**
   * A client TLS context that trusts the server, presenting the certificate of {@code clientName}
   * (null: no client certificate).
   */
  public static SSLContext clientContext(Path dir, String clientName) throws IOException, GeneralSecurityException {
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(load(dir.resolve(CLIENT_TRUSTSTORE)));
    KeyManagerFactory keys = null;
    if (clientName != null) {
      keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(load(dir.resolve(clientKeystore(clientName))), PASSWORD.toCharArray());
    }
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keys == null ? null : keys.getKeyManagers(), trust.getTrustManagers(), null);
    return context;
  }

  /**
   * Adds TLS to connect options: trust the server, present {@code certificateOf}'s certificate
   * (null: none). Host name verification stays on: the server certificate names 127.0.0.1.
   */
  public static MqttConnectOptions tlsOptions(MqttConnectOptions options, String certificateOf)
      throws IOException, GeneralSecurityException {
    SSLContext context = clientContext(Path.of(System.getProperty(DIR_PROPERTY)), certificateOf);
    options.setSocketFactory(context.getSocketFactory());
    options.setHttpsHostnameVerificationEnabled(true);
    return options;
  }

  private static KeyStore load(Path file) throws IOException, GeneralSecurityException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(file)) {
      store.load(in, PASSWORD.toCharArray());
    }
    return store;
  }
}
