package dev.courier.mqtt.transport.internal.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.mqtt.MqttMessage;
import java.util.List;

/**
 * Cuts the byte stream into whole MQTT packets before Netty's {@code MqttDecoder} sees them, and
 * rejects what that decoder would let through or only notice late:
 *
 * <ul>
 *   <li>a Remaining Length of more than four bytes [MQTT-2.2.3]: malformed;
 *   <li>a packet larger than the configured maximum: rejected as soon as its header is read,
 *       without buffering its body;
 *   <li>a string that is not well-formed UTF-8 or contains U+0000 [MQTT-1.5.3-1] [MQTT-1.5.3-2]
 *       (the codec would silently replace bad bytes): the PUBLISH topic, SUBSCRIBE and UNSUBSCRIBE
 *       filters, and the CONNECT client id, will topic and user name (MQTT 3.1 and 3.1.1);
 *   <li>a topic name (PUBLISH topic, will topic) with a control character U+0001..U+001F or
 *       U+007F..U+009F: MQTT 3.1.1 section 1.5.3 says these SHOULD NOT be sent and a receiver MAY
 *       close; Courier does, rather than forward them to other clients and the bridge;
 *   <li>on an MQTT 3.1 / 3.1.1 connection, what the codec accepts because MQTT 5 allows it: a
 *       SUBSCRIBE options byte with reserved bits set [MQTT-3.8.3-4], and a PUBACK, PUBREC,
 *       PUBREL or PUBCOMP whose Remaining Length is not 2.
 * </ul>
 *
 * Each emitted frame is a retained slice of the input: no copy. A malformed input is reported
 * downstream as a value, a message whose {@code decoderResult()} failed, after the frames before
 * it; everything after it is discarded.
 */
final class MqttFrameValidator extends ByteToMessageDecoder {

  private static final int CONNECT = 1;
  private static final int PUBLISH = 3;
  private static final int PUBACK = 4;
  private static final int PUBCOMP = 7;
  private static final int SUBSCRIBE = 8;
  private static final int UNSUBSCRIBE = 10;
  private static final int DISCONNECT = 14;
  private static final int AUTH = 15;
  /** Reserved bits of a SUBSCRIBE options byte: MQTT 3.1.1 (all above QoS), MQTT 5.0 (bits 6, 7). */
  private static final int OPTIONS_3 = 0xFC;
  private static final int OPTIONS_5 = 0xC0;
  private static final int MQTT_5 = 5;

  private final int maxPacketSize;
  /**
   * Frames passed on since the connection opened, mod 2^32 (compared for equality only); each must
   * decode to exactly one packet.
   */
  private int frames;
  /** The protocol level of the CONNECT that passed, 0 before one did. */
  private int protocolLevel;
  /** A malformed input was reported: the rest of the stream is discarded. */
  private boolean failed;

  MqttFrameValidator(int maxPacketSize) {
    this.maxPacketSize = maxPacketSize;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (failed) {
      in.skipBytes(in.readableBytes());
      return;
    }
    try {
      cut(in, out);
    } catch (CorruptedFrameException | TooLongFrameException malformed) {
      // A client's mistake, not ours: passed on as a value, so that the connection handler closes
      // for it like for a codec failure [MQTT-4.8.0-1] instead of taking its unexpected-error path.
      failed = true;
      in.skipBytes(in.readableBytes());
      out.add(new MqttMessage(null, null, null, DecoderResult.failure(malformed)));
    }
  }

  private void cut(ByteBuf in, List<Object> out) {
    while (in.readableBytes() >= 2) {
      int start = in.readerIndex();
      int end = in.writerIndex();
      int remaining = 0;
      int multiplier = 1;
      int offset = 1;
      boolean complete = false;
      while (offset <= 4) {
        if (start + offset >= end) {
          return; // length not read yet
        }
        int digit = in.getUnsignedByte(start + offset);
        remaining += (digit & 0x7F) * multiplier;
        multiplier <<= 7;
        offset++;
        if ((digit & 0x80) == 0) {
          complete = true;
          break;
        }
      }
      if (!complete) {
        throw new CorruptedFrameException("malformed Remaining Length (more than 4 bytes)");
      }
      long total = (long) offset + remaining;
      if (total > maxPacketSize) {
        throw new TooLongFrameException(
            "packet of " + total + " bytes exceeds maxPacketSize " + maxPacketSize);
      }
      if (end - start < total) {
        return;
      }
      int type = in.getUnsignedByte(start) >> 4;
      int body = start + offset;
      boolean mqtt3 = protocolLevel != MQTT_5;
      switch (type) {
        case CONNECT -> {
          int level = checkConnect(in, body, remaining);
          protocolLevel = protocolLevel == 0 ? level : protocolLevel; // a second one is refused
        }
        case PUBLISH -> {
          checkTopic(in, body, remaining);
          if (!mqtt3) {
            int qos = (in.getUnsignedByte(start) >> 1) & 0x03;
            int properties = body + 2 + in.getUnsignedShort(body) + (qos > 0 ? 2 : 0);
            PropertySection.check(in, properties, body + remaining);
          }
        }
        case SUBSCRIBE -> checkFilters(in, body, remaining, mqtt3 ? OPTIONS_3 : OPTIONS_5, mqtt3);
        case UNSUBSCRIBE -> checkFilters(in, body, remaining, 0, mqtt3);
        default -> {
          if (type >= PUBACK && type <= PUBCOMP && mqtt3 && remaining != 2) {
            // MQTT 3.1.1 sections 3.4.1 to 3.7.1: the Remaining Length is 2 (the packet id).
            throw new CorruptedFrameException("Remaining Length of an acknowledgement is not 2");
          }
          if (!mqtt3) {
            checkAckProperties(in, type, body, remaining);
          }
        }
      }
      out.add(in.retainedSlice(start, (int) total));
      frames++;
      in.readerIndex(start + (int) total);
    }
  }

  /**
   * MQTT 5.0 acknowledgements, DISCONNECT and AUTH: the property section after the reason code, if
   * the packet is long enough to have one (3.4.2.2, 3.14.2.2, 3.15.2.2).
   */
  private static void checkAckProperties(ByteBuf in, int type, int body, int remaining) {
    if (type >= PUBACK && type <= PUBCOMP && remaining > 3) {
      PropertySection.check(in, body + 3, body + remaining);
    } else if ((type == DISCONNECT || type == AUTH) && remaining > 1) {
      PropertySection.check(in, body + 1, body + remaining);
    }
  }

  /** Complete frames passed on to the codec so far. */
  int frames() {
    return frames;
  }

  private static void checkTopic(ByteBuf in, int index, int remaining) {
    if (remaining < 2) {
      throw new CorruptedFrameException("PUBLISH too short for a topic name");
    }
    int length = in.getUnsignedShort(index);
    if (length + 2 > remaining) {
      throw new CorruptedFrameException("PUBLISH topic name longer than the packet");
    }
    if (isPrintableAscii(in, index + 2, length)) {
      return; // the common case: well-formed and free of control characters, 8 bytes a step
    }
    if (!isWellFormedUtf8(in, index + 2, length)) {
      throw new CorruptedFrameException("PUBLISH topic name is not well-formed UTF-8");
    }
    checkNoControlCharacter(in, index + 2, length, "PUBLISH topic name");
  }

  private static final long HIGH_BITS = 0x8080808080808080L;
  private static final long SPACES = 0x2020202020202020L;
  private static final long DELETES = 0x7F7F7F7F7F7F7F7FL;
  private static final long ONES = 0x0101010101010101L;

  /**
   * Whether every byte is printable ASCII (0x20 to 0x7E): well-formed UTF-8 without a control
   * character, so a topic name passes both checks. Eight bytes at a time: a word fails if a byte
   * has its high bit set, or subtracting 0x20 (a byte below 0x20) or subtracting 1 from the byte
   * XOR 0x7F (the byte 0x7F) sets one. A borrow only spreads from a byte that already failed.
   */
  static boolean isPrintableAscii(ByteBuf in, int from, int length) {
    int i = from;
    int end = from + length;
    for (; i + Long.BYTES <= end; i += Long.BYTES) {
      long w = in.getLong(i);
      if (((w | (w - SPACES) | ((w ^ DELETES) - ONES)) & HIGH_BITS) != 0) {
        return false;
      }
    }
    for (; i < end; i++) {
      byte b = in.getByte(i);
      if (b < 0x20 || b == 0x7F) { // a byte from 0x80 is negative
        return false;
      }
    }
    return true;
  }

  /**
   * Checks the UTF-8 strings of a SUBSCRIBE or UNSUBSCRIBE payload, after the packet id and, on
   * MQTT 5.0, the property section (whose content the codec checks).
   *
   * @param reserved 0 for UNSUBSCRIBE (no options byte after each filter); for SUBSCRIBE the bits
   *     of the options byte that must be 0 ({@link #OPTIONS_3} or {@link #OPTIONS_5})
   */
  private static void checkFilters(ByteBuf in, int body, int remaining, int reserved,
      boolean mqtt3) {
    int end = body + remaining;
    int index = body + 2;
    if (!mqtt3) {
      index = PropertySection.check(in, index, end);
    }
    while (index < end) {
      index = checkString(in, index, end, "topic filter");
      if (reserved != 0) {
        if (index >= end) {
          throw new CorruptedFrameException("SUBSCRIBE topic filter without its options byte");
        }
        int requested = in.getUnsignedByte(index++);
        // 3.1.1 [MQTT-3.8.3-4] / 5.0 [MQTT-3.8.3-5]: reserved bits 0; QoS 3 and Retain Handling 3
        // are malformed / a protocol error (5.0 section 3.8.3.1).
        if ((requested & reserved) != 0 || (requested & 0x03) == 3
            || (requested & 0x30) == 0x30) {
          throw new CorruptedFrameException(
              "SUBSCRIBE options byte has reserved bits, QoS 3 or Retain Handling 3");
        }
      }
    }
    if (index > end) {
      throw new CorruptedFrameException("topic filter list overruns the packet");
    }
  }

  /**
   * Checks the UTF-8 strings of a MQTT 3.1 / 3.1.1 CONNECT. Structural errors are left to the
   * codec, which reports them as decode failures; other protocol levels are not inspected here.
   *
   * @return the protocol level, or 0 if the packet is too short to carry one
   */
  private static int checkConnect(ByteBuf in, int index, int length) {
    int end = index + length;
    if (length < 2) {
      return 0;
    }
    int nameLength = in.getUnsignedShort(index);
    int level = index + 2 + nameLength;
    if (level + 4 > end) {
      return 0;
    }
    int version = in.getUnsignedByte(level);
    if (version != 3 && version != 4) {
      return version;
    }
    int flags = in.getUnsignedByte(level + 1);
    int cursor = checkString(in, level + 4, end, "client id");
    if ((flags & 0x04) != 0) {
      int topic = cursor;
      cursor = checkString(in, cursor, end, "will topic");
      checkNoControlCharacter(in, topic + 2, cursor - topic - 2, "will topic");
      cursor = skipBinary(in, cursor, end);
    }
    if ((flags & 0x80) != 0) {
      checkString(in, cursor, end, "user name");
    }
    return version;
  }

  /**
   * Refuses a topic name with a C0 or C1 control character or DEL (section 1.5.3: SHOULD NOT be
   * sent, a receiver MAY close). The bytes must be well-formed UTF-8 already, so 0xC2 is a lead
   * byte and C2 80..C2 9F encode U+0080..U+009F.
   */
  private static void checkNoControlCharacter(ByteBuf in, int from, int length, String what) {
    int end = from + length;
    for (int i = from; i < end; i++) {
      int b = in.getUnsignedByte(i);
      if (b < 0x20 || b == 0x7F || (b == 0xC2 && in.getUnsignedByte(i + 1) <= 0x9F)) {
        throw new CorruptedFrameException(what + " contains a control character");
      }
    }
  }

  private static int checkString(ByteBuf in, int index, int end, String what) {
    if (index + 2 > end) {
      throw new CorruptedFrameException(what + " overruns the packet");
    }
    int length = in.getUnsignedShort(index);
    if (index + 2 + length > end) {
      throw new CorruptedFrameException(what + " overruns the packet");
    }
    if (!isWellFormedUtf8(in, index + 2, length)) {
      throw new CorruptedFrameException(what + " is not well-formed UTF-8");
    }
    return index + 2 + length;
  }

  private static int skipBinary(ByteBuf in, int index, int end) {
    if (index + 2 > end) {
      throw new CorruptedFrameException("will message overruns the packet");
    }
    return index + 2 + in.getUnsignedShort(index);
  }

  /**
   * Checks UTF-8 per RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF, and no
   * U+0000 (MQTT forbids it in strings).
   */
  static boolean isWellFormedUtf8(ByteBuf buf, int from, int length) {
    int i = from;
    int end = from + length;
    while (i < end) {
      int b = buf.getUnsignedByte(i++);
      if (b < 0x80) {
        if (b == 0) {
          return false;
        }
        continue;
      }
      int needed;
      int min;
      int cp;
      if ((b & 0xE0) == 0xC0) {
        needed = 1;
        min = 0x80;
        cp = b & 0x1F;
      } else if ((b & 0xF0) == 0xE0) {
        needed = 2;
        min = 0x800;
        cp = b & 0x0F;
      } else if ((b & 0xF8) == 0xF0) {
        needed = 3;
        min = 0x10000;
        cp = b & 0x07;
      } else {
        return false;
      }
      if (i + needed > end) {
        return false;
      }
      for (int k = 0; k < needed; k++) {
        int c = buf.getUnsignedByte(i++);
        if ((c & 0xC0) != 0x80) {
          return false;
        }
        cp = (cp << 6) | (c & 0x3F);
      }
      if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        return false;
      }
    }
    return true;
  }
}
