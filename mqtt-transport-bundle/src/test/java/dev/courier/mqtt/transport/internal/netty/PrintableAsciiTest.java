package dev.courier.mqtt.transport.internal.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The word-at-a-time check of a PUBLISH topic name accepts exactly the names of printable ASCII,
 * whatever byte sits at whatever position, at any offset in the buffer.
 */
class PrintableAsciiTest {

  private static boolean bytewise(byte[] bytes) {
    for (byte b : bytes) {
      if ((b & 0xFF) < 0x20 || (b & 0xFF) > 0x7E) {
        return false;
      }
    }
    return true;
  }

  private static boolean wordwise(byte[] bytes, int offset) {
    ByteBuf buf = Unpooled.buffer(offset + bytes.length + 3);
    buf.writeZero(offset);
    buf.writeBytes(bytes);
    buf.writeBytes(new byte[] {0, (byte) 0x80, 0x7F}); // beyond the name: never read
    try {
      return MqttFrameValidator.isPrintableAscii(buf, offset, bytes.length);
    } finally {
      buf.release();
    }
  }

  @Test
  void whenAnyByteSitsAtAnyPositionOfAPrintableName_thenOnlyPrintableOnesPass() {
    for (int length = 1; length <= 19; length++) {
      for (int position = 0; position < length; position++) {
        for (int value = 0; value < 256; value++) {
          byte[] name = "abcdefghijklmnopqrs".substring(0, length).getBytes();
          name[position] = (byte) value;
          assertThat(wordwise(name, position % 3))
              .as("byte 0x%02X at %d of %d", value, position, length)
              .isEqualTo(bytewise(name));
        }
      }
    }
  }

  @Test
  void whenNamesAreRandom_thenTheWordCheckAgreesWithTheByteCheck() {
    Random random = new Random(42);
    for (int n = 0; n < 20_000; n++) {
      byte[] name = new byte[random.nextInt(70)];
      for (int i = 0; i < name.length; i++) {
        // mostly printable, sometimes a boundary value, sometimes anything
        int pick = random.nextInt(10);
        name[i] = (byte) (pick < 7 ? 0x20 + random.nextInt(0x5F)
            : pick == 7 ? new int[] {0x1F, 0x20, 0x7E, 0x7F, 0x80, 0xFF, 0}[random.nextInt(7)]
            : random.nextInt(256));
      }
      assertThat(wordwise(name, random.nextInt(8))).isEqualTo(bytewise(name));
    }
  }

  @Test
  void whenTheNameIsEmpty_thenItPasses() {
    assertThat(wordwise(new byte[0], 0)).isTrue();
  }
}
