package dev.courier.mqtt.transport.internal.protocol.context;

import dev.courier.mqtt.transport.internal.protocol.dialect.ReasonCode;

/**
 * A client broke the protocol: the connection must be closed [MQTT-4.8.0-1]. Carries the spec rule
 * so that the one place that logs it can say why, and the MQTT 5 reason code the server's
 * DISCONNECT gives (a 3.1.1 connection is closed without a packet). Never carries payloads.
 */
public final class ProtocolViolation extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient ReasonCode reason;
  private final String rule;

  /**
   * A violation of the protocol's rules: reason code 0x82 Protocol Error.
   *
   * @param rule the normative statement broken, e.g. {@code MQTT-3.1.0-2}
   * @param message what happened
   */
  public ProtocolViolation(String rule, String message) {
    this(ReasonCode.PROTOCOL_ERROR, rule, message);
  }

  /**
   * A violation with its own reason code, e.g. 0x81 Malformed Packet for a packet that cannot be
   * parsed as its type requires (MQTT 5.0 section 4.13).
   *
   * @param reason the reason code for the DISCONNECT; an error code
   * @param rule the normative statement broken
   * @param message what happened
   */
  public ProtocolViolation(ReasonCode reason, String rule, String message) {
    super(message, null, false, false);
    if (!reason.isError()) {
      throw new IllegalArgumentException("not an error reason code: " + reason);
    }
    this.reason = reason;
    this.rule = rule;
  }

  /** The normative statement broken. */
  public String rule() {
    return rule;
  }

  /** The MQTT 5 reason code that tells the client why. */
  public ReasonCode reason() {
    return reason;
  }

  @Override
  public String toString() {
    return "[" + rule + "] " + getMessage() + " (" + reason + ")";
  }
}
