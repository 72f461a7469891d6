package dev.courier.mqtt.transport.internal.protocol;

/**
 * A client broke the protocol: the connection must be closed [MQTT-4.8.0-1]. Carries the spec rule
 * so that the one place that logs it can say why. Never carries payloads.
 */
public final class ProtocolViolation extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String rule;

  /**
   * Creates a violation.
   *
   * @param rule the normative statement broken, e.g. {@code MQTT-3.1.0-2}
   * @param message what happened
   */
  public ProtocolViolation(String rule, String message) {
    super(message, null, false, false);
    this.rule = rule;
  }

  /** The normative statement broken. */
  public String rule() {
    return rule;
  }

  @Override
  public String toString() {
    return "[" + rule + "] " + getMessage();
  }
}
