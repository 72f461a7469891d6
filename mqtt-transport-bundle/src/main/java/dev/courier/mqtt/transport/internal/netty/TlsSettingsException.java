package dev.courier.mqtt.transport.internal.netty;

/** A TLS setting that cannot be used; the message starts with the configuration key. */
public final class TlsSettingsException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  TlsSettingsException(String message, Throwable cause) {
    super(message, cause);
  }
}
