package dev.courier.mqtt.transport.internal.netty;

import dev.courier.mqtt.transport.internal.config.TlsConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

/** Builds the server's TLS context from the configured key and trust stores (JDK provider). */
final class TlsContextFactory {

  private TlsContextFactory() {}

  /**
   * Loads the stores and builds the context.
   *
   * @throws TlsSettingsException naming the key whose value could not be used
   */
  static SslContext create(TlsConfig tls) {
    KeyStore keyStore = load(tls.keystorePath(), tls.keystoreType(), tls.keystorePassword(),
        "sslKeystorePath");
    KeyManagerFactory keys;
    try {
      keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(keyStore, tls.keyPassword().toCharArray());
    } catch (GeneralSecurityException e) {
      throw new TlsSettingsException("sslKeyPassword: cannot read the private key of "
          + tls.keystorePath() + ": " + e.getMessage(), e);
    }
    SslContextBuilder builder = SslContextBuilder.forServer(keys).sslProvider(SslProvider.JDK)
        .protocols(tls.protocols())
        .clientAuth(switch (tls.clientAuth()) {
          case NONE -> ClientAuth.NONE;
          case OPTIONAL -> ClientAuth.OPTIONAL;
          case REQUIRED -> ClientAuth.REQUIRE;
        });
    if (!tls.cipherSuites().isEmpty()) {
      builder.ciphers(tls.cipherSuites());
    }
    if (!tls.truststorePath().isEmpty()) {
      KeyStore trusted = load(tls.truststorePath(), tls.truststoreType(),
          tls.truststorePassword(), "sslTruststorePath");
      try {
        TrustManagerFactory trust =
            TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        builder.trustManager(trust);
      } catch (GeneralSecurityException e) {
        throw new TlsSettingsException("sslTruststorePath: " + e.getMessage(), e);
      }
    }
    try {
      return builder.build();
    } catch (IOException | RuntimeException e) {
      throw new TlsSettingsException("sslProtocols/sslCipherSuites: " + e.getMessage(), e);
    }
  }

  private static KeyStore load(String path, String type, String password, String key) {
    try (InputStream in = Files.newInputStream(Path.of(path))) {
      KeyStore store = KeyStore.getInstance(type);
      store.load(in, password.toCharArray());
      return store;
    } catch (IOException | GeneralSecurityException e) {
      // The message names the file and the problem, never the password.
      throw new TlsSettingsException(key + ": cannot load " + type + " store " + path + ": "
          + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage()), e);
    }
  }
}
