package dev.courier.mqtt.transport.internal.protocol.context;

import dev.courier.mqtt.transport.internal.protocol.dialect.PacketSize;
import dev.courier.mqtt.transport.internal.protocol.dialect.ReasonCode;
import io.netty.buffer.ByteBufUtil;
import java.util.StringJoiner;

/**
 * The Reason Strings (property 0x1F, e.g. MQTT 5.0 section 3.4.2.2.2) the server tells a client,
 * and the one decision whether a packet carries one: only with a reason code other than Success
 * (or a granted QoS); on an ack only if the client did not set Request Problem Information to 0
 * [MQTT-3.1.2-29], which a CONNACK ignores; and never where it would make the packet larger than
 * the client's Maximum Packet Size, which is then sent without it [MQTT-3.2.2-19] [MQTT-3.4.2-2]
 * [MQTT-3.5.2-2] [MQTT-3.6.2-2] [MQTT-3.7.2-2] [MQTT-3.9.2-1] [MQTT-3.11.2-1] [MQTT-3.14.2-3].
 *
 * <p>Ack and CONNACK texts are constants chosen by the reason code: nothing the client sent, no
 * payload, no plug-in's or exception's text, and nothing that tells whether a user exists (the
 * refusal's own reason stays in the log). A success costs one comparison here and no allocation.
 * The 3.x writers drop the strings. Stateless.
 */
public final class ReasonStrings {

  /** A Reason String is a UTF-8 string: at most 65,535 bytes (section 1.5.4). */
  private static final int MAX_STRING_BYTES = 65_535;
  /** PUBACK to PUBCOMP besides the properties: packet id and reason code. */
  private static final int PUBLISH_ACK_BYTES = 3;
  /** CONNACK besides the properties: acknowledge flags and reason code. */
  private static final int CONNACK_BYTES = 2;
  /** DISCONNECT besides the properties: the reason code. */
  private static final int DISCONNECT_BYTES = 1;

  /** What SUBACK and UNSUBACK codes say, one bit each; see {@link #cause(int)}. */
  private static final String[] CAUSES = {"not authorized", "topic filter invalid",
      "shared subscriptions not supported", "unspecified error"};
  /** The Reason String of each set of causes, indexed by its bits (0: none). */
  private static final String[] SUMMARIES = summaries();

  private ReasonStrings() {}

  /**
   * The Reason String of a PUBACK or PUBREC with {@code code}, or null for none. Only errors carry
   * one: 0x10 No matching subscribers (like UNSUBACK's 0x11) is a success and keeps the packet
   * small, as clients that accept no properties on a successful ack (the Eclipse Paho test client
   * among them) expect.
   */
  public static String publishAck(Negotiated negotiated, ReasonCode code) {
    if (code == ReasonCode.SUCCESS) {
      return null; // [MQTT-3.4.2.1] the short form
    }
    String text = switch (code) {
      case NOT_AUTHORIZED -> "not authorized to publish to this topic";
      case QUOTA_EXCEEDED -> "quota exceeded: the destination is full";
      case TOPIC_NAME_INVALID -> "topic name not accepted: too long or too many levels";
      default -> null;
    };
    return onAck(negotiated, text, PUBLISH_ACK_BYTES);
  }

  /**
   * The Reason String of a SUBACK or UNSUBACK: one naming the causes of every filter not
   * granted, or null for none.
   *
   * @param codes the 5.0 reason codes of the packet's payload, one per filter
   */
  public static String filterAck(Negotiated negotiated, int[] codes) {
    int causes = 0;
    for (int code : codes) {
      causes |= cause(code);
    }
    return causes == 0 ? null : onAck(negotiated, SUMMARIES[causes], 2 + codes.length);
  }

  /**
   * The Reason String of a CONNACK refusing a CONNECT with {@code code}, or null for none; sent
   * whatever the client's Request Problem Information [MQTT-3.1.2-29].
   */
  public static String connAck(Negotiated negotiated, ReasonCode code) {
    String text = switch (code) {
      case UNSUPPORTED_PROTOCOL_VERSION -> "unsupported protocol version";
      case CLIENT_IDENTIFIER_NOT_VALID -> "client identifier not valid";
      // One text for an unknown user and a wrong password: never whether the user exists.
      case BAD_USER_NAME_OR_PASSWORD -> "bad user name or password";
      case NOT_AUTHORIZED -> "not authorized";
      case SERVER_UNAVAILABLE -> "server unavailable, try again later";
      case BAD_AUTHENTICATION_METHOD -> "authentication method not supported";
      case MALFORMED_PACKET -> "malformed packet";
      case PROTOCOL_ERROR -> "protocol error";
      case PACKET_TOO_LARGE -> "packet too large";
      case TOPIC_NAME_INVALID -> "will topic not accepted: too long or too many levels";
      default -> null;
    };
    return text != null && fits(negotiated, text, CONNACK_BYTES) ? text : null;
  }

  /**
   * The Reason String of a server DISCONNECT: {@code reason} (the server's own account of the
   * client's error) if the client asked for problem information and it fits, else null.
   */
  public static String disconnect(Negotiated negotiated, String reason) {
    return onAck(negotiated, reason, DISCONNECT_BYTES);
  }

  /** {@code text} on a packet other than CONNACK and PUBLISH, or null [MQTT-3.1.2-29]. */
  private static String onAck(Negotiated negotiated, String text, int otherBytes) {
    return text != null && negotiated.problemInformation() && fits(negotiated, text, otherBytes)
        ? text : null;
  }

  /** Whether the packet with {@code text} keeps to the client's Maximum Packet Size. */
  private static boolean fits(Negotiated negotiated, String text, int otherBytes) {
    int bytes = ByteBufUtil.utf8Bytes(text);
    return bytes <= MAX_STRING_BYTES && PacketSize.withReasonString(otherBytes, bytes)
        <= negotiated.clientMaximumPacketSize();
  }

  /** The bit of {@link #CAUSES} a SUBACK or UNSUBACK code sets; 0 for a success or granted QoS. */
  private static int cause(int code) {
    return switch (code) {
      case 0x00, 0x01, 0x02 -> 0;
      case 0x87 -> 1;
      case 0x8F -> 1 << 1;
      case 0x9E -> 1 << 2;
      default -> code >= 0x80 ? 1 << 3 : 0; // 0x11 is a success, said by its code alone
    };
  }

  private static String[] summaries() {
    String[] summaries = new String[1 << CAUSES.length];
    for (int set = 1; set < summaries.length; set++) {
      StringJoiner text = new StringJoiner("; ");
      for (int bit = 0; bit < CAUSES.length; bit++) {
        if ((set & 1 << bit) != 0) {
          text.add(CAUSES[bit]);
        }
      }
      summaries[set] = text.toString();
    }
    return summaries;
  }
}
