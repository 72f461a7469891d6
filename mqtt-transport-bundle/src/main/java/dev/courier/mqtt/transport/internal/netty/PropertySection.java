package dev.courier.mqtt.transport.internal.netty;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.CorruptedFrameException;

/**
 * Walks an MQTT 5.0 property section in the raw bytes (section 2.2.2), before the codec decodes
 * it: Netty keeps only the last value of a property sent twice, so a repeated single-use property
 * (a Protocol Error for every property but User Property) could not be seen afterwards. Allocation
 * free; an empty section costs one byte read.
 */
final class PropertySection {

  /** User Property, the one property a packet may carry more than once. */
  private static final int USER_PROPERTY = 0x26;

  private PropertySection() {}

  /** A property sent twice: a Protocol Error (0x82), not a Malformed Packet. */
  static final class RepeatedProperty extends CorruptedFrameException {
    RepeatedProperty(int id) {
      super("property 0x" + Integer.toHexString(id) + " sent more than once");
    }
  }

  /**
   * Checks the property section that starts at {@code index} (its Variable Byte Integer length).
   *
   * @return the index just after the section
   * @throws RepeatedProperty if a single-use property appears twice
   * @throws CorruptedFrameException if the section is malformed or overruns {@code end}
   */
  static int check(ByteBuf in, int index, int end) {
    int length = 0;
    int shift = 0;
    while (true) {
      if (index >= end || shift > 21) {
        throw new CorruptedFrameException("malformed property length");
      }
      int digit = in.getUnsignedByte(index++);
      length |= (digit & 0x7F) << shift;
      shift += 7;
      if ((digit & 0x80) == 0) {
        break;
      }
    }
    if (length > end - index) {
      throw new CorruptedFrameException("properties overrun the packet");
    }
    int stop = index + length;
    long seen = 0;
    while (index < stop) {
      int id = in.getUnsignedByte(index++);
      if (id != USER_PROPERTY && id < 64) {
        long bit = 1L << id;
        if ((seen & bit) != 0) {
          throw new RepeatedProperty(id);
        }
        seen |= bit;
      }
      index = skipValue(in, id, index, stop);
    }
    if (index != stop) {
      throw new CorruptedFrameException("property value overruns the property section");
    }
    return stop;
  }

  /** Skips one property value by its type (table 2-4); unknown identifiers are malformed. */
  private static int skipValue(ByteBuf in, int id, int index, int stop) {
    switch (id) {
      case 0x01, 0x17, 0x19, 0x24, 0x25, 0x28, 0x29, 0x2A:
        return index + 1;
      case 0x13, 0x21, 0x22, 0x23:
        return index + 2;
      case 0x02, 0x11, 0x18, 0x27:
        return index + 4;
      case 0x0B:
        return skipVariableByteInteger(in, index, stop);
      case 0x03, 0x08, 0x09, 0x12, 0x15, 0x16, 0x1A, 0x1C, 0x1F:
        return skipPrefixed(in, index, stop);
      case USER_PROPERTY:
        return skipPrefixed(in, skipPrefixed(in, index, stop), stop);
      default:
        throw new CorruptedFrameException("unknown property 0x" + Integer.toHexString(id));
    }
  }

  private static int skipVariableByteInteger(ByteBuf in, int index, int stop) {
    for (int i = 0; i < 4; i++) {
      if (index >= stop) {
        break;
      }
      if ((in.getUnsignedByte(index++) & 0x80) == 0) {
        return index;
      }
    }
    throw new CorruptedFrameException("malformed Variable Byte Integer property");
  }

  private static int skipPrefixed(ByteBuf in, int index, int stop) {
    if (index + 2 > stop) {
      throw new CorruptedFrameException("property value overruns the property section");
    }
    return index + 2 + in.getUnsignedShort(index);
  }
}
