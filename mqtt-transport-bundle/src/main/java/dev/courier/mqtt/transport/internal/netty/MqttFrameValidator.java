package dev.courier.mqtt.transport.internal.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
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
 *       filters, and the CONNECT client id, will topic and user name (MQTT 3.1 and 3.1.1).
 * </ul>
 *
 * Each emitted frame is a retained slice of the input: no copy.
 */
final class MqttFrameValidator extends ByteToMessageDecoder {

  private static final int CONNECT = 1;
  private static final int PUBLISH = 3;
  private static final int SUBSCRIBE = 8;
  private static final int UNSUBSCRIBE = 10;

  private final int maxPacketSize;
  /** Frames passed on since the connection opened; each must decode to exactly one packet. */
  private long frames;

  MqttFrameValidator(int maxPacketSize) {
    this.maxPacketSize = maxPacketSize;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
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
      switch (type) {
        case CONNECT -> checkConnect(in, body, remaining);
        case PUBLISH -> checkTopic(in, body, remaining);
        case SUBSCRIBE -> checkFilters(in, body + 2, remaining - 2, 1);
        case UNSUBSCRIBE -> checkFilters(in, body + 2, remaining - 2, 0);
        default -> { }
      }
      out.add(in.retainedSlice(start, (int) total));
      frames++;
      in.readerIndex(start + (int) total);
    }
  }

  /** Complete frames passed on to the codec so far. */
  long frames() {
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
    if (!isWellFormedUtf8(in, index + 2, length)) {
      throw new CorruptedFrameException("PUBLISH topic name is not well-formed UTF-8");
    }
  }

  /**
   * Checks the UTF-8 strings of a SUBSCRIBE or UNSUBSCRIBE payload.
   *
   * @param trailing bytes after each filter (1: the SUBSCRIBE options byte)
   */
  private static void checkFilters(ByteBuf in, int index, int length, int trailing) {
    int end = index + length;
    while (index < end) {
      index = checkString(in, index, end, "topic filter") + trailing;
    }
    if (index > end) {
      throw new CorruptedFrameException("topic filter list overruns the packet");
    }
  }

  /**
   * Checks the UTF-8 strings of a MQTT 3.1 / 3.1.1 CONNECT. Structural errors are left to the
   * codec, which reports them as decode failures; other protocol levels are not inspected here.
   */
  private static void checkConnect(ByteBuf in, int index, int length) {
    int end = index + length;
    if (length < 2) {
      return;
    }
    int nameLength = in.getUnsignedShort(index);
    int level = index + 2 + nameLength;
    if (level + 4 > end) {
      return;
    }
    int version = in.getUnsignedByte(level);
    if (version != 3 && version != 4) {
      return;
    }
    int flags = in.getUnsignedByte(level + 1);
    int cursor = checkString(in, level + 4, end, "client id");
    if ((flags & 0x04) != 0) {
      cursor = checkString(in, cursor, end, "will topic");
      cursor = skipBinary(in, cursor, end);
    }
    if ((flags & 0x80) != 0) {
      checkString(in, cursor, end, "user name");
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
