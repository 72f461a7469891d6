package dev.courier.mqtt.transport.spi.auth;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * What a connecting client presented. Never logged as a whole: {@link #toString()} leaves the
 * password out.
 *
 * @param clientId the client identifier (assigned by the server if the client sent none)
 * @param username the user name from CONNECT, or (when the transport is configured to take it from
 *     the certificate) from the TLS client certificate's subject; null if none
 * @param password the password bytes from CONNECT, or null; callers must not keep or log them
 * @param peerCertificates the TLS client certificate chain, leaf first; empty for plain TCP or when
 *     the client sent none
 * @param remoteAddress the peer's address as text, for rate limiting and logs
 * @since 0.2
 */
public record ConnectCredentials(String clientId, String username, byte[] password,
    List<X509Certificate> peerCertificates, String remoteAddress) {

  /** Validates and copies the arguments. */
  public ConnectCredentials {
    Objects.requireNonNull(clientId, "clientId");
    peerCertificates = peerCertificates == null ? List.of() : List.copyOf(peerCertificates);
    remoteAddress = remoteAddress == null ? "" : remoteAddress;
  }

  /** Whether the client presented a user name or password. */
  public boolean hasCredentials() {
    return username != null || password != null;
  }

  @Override
  public String toString() {
    return "ConnectCredentials[clientId=" + clientId + ", username=" + username + ", password="
        + (password == null ? "none" : "***") + ", certificates=" + peerCertificates.size()
        + ", remote=" + remoteAddress + "]";
  }
}
