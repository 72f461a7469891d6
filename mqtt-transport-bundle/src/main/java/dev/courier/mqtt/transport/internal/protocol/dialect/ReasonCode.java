package dev.courier.mqtt.transport.internal.protocol.dialect;

import java.util.OptionalInt;

/**
 * The MQTT 5.0 reason codes (section 2.4, table 2-6), each with what a 3.1.1 client can be told
 * instead. A 3.1.1 CONNACK knows only return codes 1 to 5 [MQTT-3.2.2-4]; no other 3.1.1 packet
 * carries one, so there an error means closing the connection without a packet (3.1.1 section 4.8)
 * and a success is the plain acknowledgement. Flows decide with these codes; only the per-version
 * packet writers turn them into bytes, so no flow branches on the protocol version.
 */
public enum ReasonCode {

  /** 0x00 Success, Normal disconnection, Granted QoS 0. */
  SUCCESS(0x00, -1),
  /** 0x01 Granted QoS 1. */
  GRANTED_QOS_1(0x01, -1),
  /** 0x02 Granted QoS 2. */
  GRANTED_QOS_2(0x02, -1),
  /** 0x04 Disconnect with Will Message. */
  DISCONNECT_WITH_WILL(0x04, -1),
  /** 0x10 No matching subscribers. */
  NO_MATCHING_SUBSCRIBERS(0x10, -1),
  /** 0x11 No subscription existed. */
  NO_SUBSCRIPTION_EXISTED(0x11, -1),
  /** 0x18 Continue authentication. */
  CONTINUE_AUTHENTICATION(0x18, -1),
  /** 0x19 Re-authenticate. */
  RE_AUTHENTICATE(0x19, -1),
  /** 0x80 Unspecified error. */
  UNSPECIFIED_ERROR(0x80, 3),
  /** 0x81 Malformed Packet. */
  MALFORMED_PACKET(0x81, -1),
  /** 0x82 Protocol Error. */
  PROTOCOL_ERROR(0x82, -1),
  /** 0x83 Implementation specific error. */
  IMPLEMENTATION_SPECIFIC_ERROR(0x83, 3),
  /** 0x84 Unsupported Protocol Version. */
  UNSUPPORTED_PROTOCOL_VERSION(0x84, 1),
  /** 0x85 Client Identifier not valid. */
  CLIENT_IDENTIFIER_NOT_VALID(0x85, 2),
  /** 0x86 Bad User Name or Password. */
  BAD_USER_NAME_OR_PASSWORD(0x86, 4),
  /** 0x87 Not authorized. */
  NOT_AUTHORIZED(0x87, 5),
  /** 0x88 Server unavailable. */
  SERVER_UNAVAILABLE(0x88, 3),
  /** 0x89 Server busy. */
  SERVER_BUSY(0x89, 3),
  /** 0x8A Banned. */
  BANNED(0x8A, 5),
  /** 0x8B Server shutting down. */
  SERVER_SHUTTING_DOWN(0x8B, -1),
  /** 0x8C Bad authentication method. */
  BAD_AUTHENTICATION_METHOD(0x8C, 5),
  /** 0x8D Keep Alive timeout. */
  KEEP_ALIVE_TIMEOUT(0x8D, -1),
  /** 0x8E Session taken over. */
  SESSION_TAKEN_OVER(0x8E, -1),
  /** 0x8F Topic Filter invalid. */
  TOPIC_FILTER_INVALID(0x8F, -1),
  /** 0x90 Topic Name invalid. */
  TOPIC_NAME_INVALID(0x90, -1),
  /** 0x91 Packet Identifier in use. */
  PACKET_IDENTIFIER_IN_USE(0x91, -1),
  /** 0x92 Packet Identifier not found. */
  PACKET_IDENTIFIER_NOT_FOUND(0x92, -1),
  /** 0x93 Receive Maximum exceeded. */
  RECEIVE_MAXIMUM_EXCEEDED(0x93, -1),
  /** 0x94 Topic Alias invalid. */
  TOPIC_ALIAS_INVALID(0x94, -1),
  /** 0x95 Packet too large. */
  PACKET_TOO_LARGE(0x95, -1),
  /** 0x96 Message rate too high. */
  MESSAGE_RATE_TOO_HIGH(0x96, -1),
  /** 0x97 Quota exceeded. */
  QUOTA_EXCEEDED(0x97, 3),
  /** 0x98 Administrative action. */
  ADMINISTRATIVE_ACTION(0x98, -1),
  /** 0x99 Payload format invalid. */
  PAYLOAD_FORMAT_INVALID(0x99, -1),
  /** 0x9A Retain not supported. */
  RETAIN_NOT_SUPPORTED(0x9A, -1),
  /** 0x9B QoS not supported. */
  QOS_NOT_SUPPORTED(0x9B, -1),
  /** 0x9C Use another server. */
  USE_ANOTHER_SERVER(0x9C, 3),
  /** 0x9D Server moved. */
  SERVER_MOVED(0x9D, 3),
  /** 0x9E Shared Subscriptions not supported. */
  SHARED_SUBSCRIPTIONS_NOT_SUPPORTED(0x9E, -1),
  /** 0x9F Connection rate exceeded. */
  CONNECTION_RATE_EXCEEDED(0x9F, 3),
  /** 0xA0 Maximum connect time. */
  MAXIMUM_CONNECT_TIME(0xA0, -1),
  /** 0xA1 Subscription Identifiers not supported. */
  SUBSCRIPTION_IDENTIFIERS_NOT_SUPPORTED(0xA1, -1),
  /** 0xA2 Wildcard Subscriptions not supported. */
  WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED(0xA2, -1);

  private static final ReasonCode[] BY_VALUE = new ReasonCode[256];

  static {
    for (ReasonCode code : values()) {
      BY_VALUE[code.value] = code;
    }
  }

  private final int value;
  /** The 3.1.1 CONNACK return code, or -1 for none (close without a CONNACK). */
  private final int connectReturnCode;

  ReasonCode(int value, int connectReturnCode) {
    this.value = value;
    this.connectReturnCode = connectReturnCode;
  }

  /** The byte on the MQTT 5 wire. */
  public int value() {
    return value;
  }

  /** Whether it reports a failure: 0x80 and above (section 2.4). */
  public boolean isError() {
    return value >= 0x80;
  }

  /**
   * The MQTT 3.1.1 CONNACK return code that tells a 3.1.1 client refused at CONNECT the same, or
   * empty where 3.1.1 has none and the connection is closed without a CONNACK.
   */
  public OptionalInt connectReturnCode() {
    return connectReturnCode < 0 ? OptionalInt.empty() : OptionalInt.of(connectReturnCode);
  }

  /**
   * The code with this wire value.
   *
   * @throws IllegalArgumentException if MQTT 5 defines no reason code with that value
   */
  public static ReasonCode of(int value) {
    ReasonCode code = value >= 0 && value < BY_VALUE.length ? BY_VALUE[value] : null;
    if (code == null) {
      throw new IllegalArgumentException("not an MQTT 5 reason code: 0x"
          + Integer.toHexString(value));
    }
    return code;
  }
}
