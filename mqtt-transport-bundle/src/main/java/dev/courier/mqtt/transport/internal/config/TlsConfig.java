package dev.courier.mqtt.transport.internal.config;

import java.util.List;

/**
 * Settings of the TLS listener ({@code ssl*} keys of PID {@code dev.courier.mqtt.transport}).
 * {@link #toString()} never shows the passwords.
 *
 * @param port the TLS port, 0 for an ephemeral one
 * @param keystorePath the server's key store file
 * @param keystorePassword its password
 * @param keystoreType its type, e.g. PKCS12 or JKS
 * @param keyPassword the private key's password (defaults to the key store's)
 * @param truststorePath trusted issuers of client certificates; empty for the JDK's defaults
 * @param truststorePassword its password
 * @param truststoreType its type
 * @param protocols enabled TLS protocol versions
 * @param cipherSuites enabled cipher suites; empty for the JDK's defaults
 * @param clientAuth whether clients must, may or need not present a certificate
 * @param usernameFromCertificate take the user name given to the authenticator from the client
 *     certificate's subject CN
 */
public record TlsConfig(
    int port,
    String keystorePath,
    String keystorePassword,
    String keystoreType,
    String keyPassword,
    String truststorePath,
    String truststorePassword,
    String truststoreType,
    List<String> protocols,
    List<String> cipherSuites,
    ClientAuth clientAuth,
    boolean usernameFromCertificate) {

  /** Client certificate policy. */
  public enum ClientAuth {
    /** No certificate asked for. */
    NONE,
    /** Asked for; the connection proceeds without one. */
    OPTIONAL,
    /** Required: the handshake fails without a trusted certificate. */
    REQUIRED
  }

  /** Copies the lists. */
  public TlsConfig {
    protocols = List.copyOf(protocols);
    cipherSuites = List.copyOf(cipherSuites);
  }

  @Override
  public String toString() {
    return "TlsConfig[port=" + port + ", keystore=" + keystorePath + " (" + keystoreType
        + "), truststore=" + (truststorePath.isEmpty() ? "JDK default" : truststorePath)
        + ", protocols=" + protocols + ", clientAuth=" + clientAuth
        + ", usernameFromCertificate=" + usernameFromCertificate + "]";
  }
}
