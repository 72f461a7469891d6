package dev.courier.mqtt.transport.internal.netty;

import static dev.courier.mqtt.transport.internal.netty.PipelineHarness.PINGREQ;
import static dev.courier.mqtt.transport.internal.netty.PipelineHarness.PINGRESP;
import static dev.courier.mqtt.transport.internal.netty.PipelineHarness.ack;
import static dev.courier.mqtt.transport.internal.netty.PipelineHarness.connect;
import static dev.courier.mqtt.transport.internal.netty.PipelineHarness.hex;
import static dev.courier.mqtt.transport.internal.netty.PipelineHarness.publish;
import static dev.courier.mqtt.transport.internal.netty.PipelineHarness.subscribe;
import static dev.courier.mqtt.transport.internal.netty.PipelineHarness.unsubscribe;
import static dev.courier.mqtt.transport.internal.netty.PipelineHarness.utf8;
import static dev.courier.mqtt.transport.internal.netty.PipelineHarness.written;
import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.internal.config.TransportConfig;
import io.netty.buffer.AbstractByteBuf;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ResourceLeakDetector;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Seeded mutation fuzzing of the real client pipeline. Valid packets of every kind a client sends
 * are mutated (bit flips, interesting bytes, truncation, insertion, duplicated slices, splices,
 * corrupted length fields); each input is a valid CONNECT (sometimes a mutated one) followed by
 * mutated and valid packets, fed in a few reads to a fresh {@link EmbeddedChannel}. For each input:
 * no exception escapes the pipeline, nothing takes the connection handler's unexpected-error
 * (WARN) path, every input buffer is released and no client id stays claimed. Every
 * {@value #HEALTH_CHECK_EVERY} inputs, healthy clients on the same registry and bridge must still
 * connect, ping and get a publication, and Netty's leak detector (PARANOID for this class) must
 * have reported nothing.
 *
 * <p>{@code -Dcourier.fuzz.iterations=N} (default {@value #DEFAULT_ITERATIONS}) and
 * {@code -Dcourier.fuzz.seed=S} choose the run; a failure names the seed, the iteration and the
 * input in hex. The long run: {@code mvn -pl mqtt-transport-bundle -Pfuzz test}.
 */
class MutationFuzzTest {

  private static final int DEFAULT_ITERATIONS = 10_000;
  private static final long DEFAULT_SEED = 0x5EED_C0DE_2024L;
  private static final int HEALTH_CHECK_EVERY = 500;
  /** Hint on the buffer the canary test leaks on purpose; such reports are not the fuzzer's. */
  private static final String CANARY = "courier-leak-canary (deliberate, MutationFuzzTest)";
  private static final byte[] INTERESTING = {0x00, (byte) 0xFF, 0x7F, (byte) 0x80, 0x01,
      (byte) 0xC0, 0x3F};

  private static final List<String> LEAKS = Collections.synchronizedList(new ArrayList<>());
  private static ResourceLeakDetector.Level previousLevel;
  private static ResourceLeakDetector<?> byteBufLeaks;

  private static final List<byte[]> CONNECTS = List.of(
      connect("fuzz"),
      connect("MQTT", 4, 0x00, utf8("fuzz-persistent"), null, null, null, null),
      connect("MQTT", 4, 0x2E, utf8("fuzz-will"), utf8("will/t"), utf8("gone"), null, null),
      connect("MQTT", 4, 0xC2, utf8("fuzz-user"), null, null, utf8("user"), utf8("secret")),
      connect("MQTT", 4, 0xD6, utf8("fuzz-all"), utf8("w"), utf8("bye"), utf8("u"), utf8("p")),
      connect("MQTT", 4, 0x02, new byte[0], null, null, null, null),
      connect("MQIsdp", 3, 0x02, utf8("fuzz-31"), null, null, null, null));

  private static final List<byte[]> PACKETS = List.of(
      publish(0x00, utf8("a/b"), 0, utf8("hello")),
      publish(0x01, utf8("r/t"), 0, utf8("kept")),
      publish(0x02, utf8("a/q1"), 1, utf8("one")),
      publish(0x03, utf8("r/q1"), 2, utf8("retained")),
      publish(0x04, utf8("a/q2"), 3, utf8("two")),
      publish(0x0D, utf8("r/q2"), 4, new byte[0]),
      ack(0x40, 1),
      ack(0x50, 2),
      ack(0x62, 3),
      ack(0x70, 4),
      subscribe(5, "a/#", 0, "+/q1", 1, "r/q2", 2),
      unsubscribe(6, "a/#", "+/q1"),
      PINGREQ,
      hex("E0 00"));

  private final long seed = Long.getLong("courier.fuzz.seed", DEFAULT_SEED);
  private final int iterations = Integer.getInteger("courier.fuzz.iterations", DEFAULT_ITERATIONS);
  private final TransportConfig config = TransportConfig.defaults();

  @BeforeAll
  static void paranoidLeakDetection() throws ReflectiveOperationException {
    previousLevel = ResourceLeakDetector.getLevel();
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    // Every ByteBuf is tracked by the allocators' one detector, created when AbstractByteBuf was
    // loaded (perhaps by an earlier test class, so a custom ResourceLeakDetectorFactory could come
    // too late): listen to that detector.
    Field detector = AbstractByteBuf.class.getDeclaredField("leakDetector");
    detector.setAccessible(true);
    byteBufLeaks = (ResourceLeakDetector<?>) detector.get(null);
    byteBufLeaks.setLeakListener((type, records) -> LEAKS.add(type + ": " + records));
  }

  @AfterAll
  static void restoreLeakDetection() {
    if (byteBufLeaks != null) {
      byteBufLeaks.setLeakListener(null);
    }
    ResourceLeakDetector.setLevel(previousLevel);
  }

  // ---------------------------------------------------------------- tests

  @Test
  void whenMutatedPacketsAreFed_thenNoErrorNoLeakAndOthersStillServed() {
    PipelineHarness harness = new PipelineHarness(config);
    int blockStart = 0;
    try {
      for (int i = 0; i < iterations; i++) {
        List<byte[]> reads = input(new Random(mix(seed, i)));
        try {
          runOne(harness, reads);
        } catch (AssertionError | RuntimeException failure) {
          throw new AssertionError(describe(i, reads) + "\n" + failure, failure);
        }
        if ((i + 1) % HEALTH_CHECK_EVERY == 0 || i + 1 == iterations) {
          checkHealthy(harness, blockStart, i);
          harness.shutdown();
          harness = new PipelineHarness(config); // bounded memory: a fresh bridge per block
          blockStart = i + 1;
        }
      }
    } finally {
      harness.shutdown();
    }
  }

  /** Proves the leak check of the fuzz test can fail: a buffer dropped unreleased is reported. */
  @Test
  void whenABufferIsLeaked_thenTheLeakDetectorReportsIt() {
    leakOneBuffer();
    boolean reported = false;
    for (int round = 0; round < 20 && !reported; round++) {
      pollLeaks();
      reported = LEAKS.stream().anyMatch(leak -> leak.contains(CANARY));
    }
    assertThat(reported).as("the deliberate leak was reported").isTrue();
    LEAKS.removeIf(leak -> leak.contains(CANARY));
  }

  // ---------------------------------------------------------------- one input

  private void runOne(PipelineHarness harness, List<byte[]> reads) {
    EmbeddedChannel channel = harness.channel();
    for (byte[] read : reads) {
      if (!channel.isOpen()) {
        break;
      }
      harness.feed(channel, read);
    }
    harness.settle();
    written(channel);
    // finish() rethrows what reached the end of the pipeline unhandled.
    harness.closeChannels();
    channel.checkException();
    assertThat(harness.unexpectedErrors()).as("errors on the unexpected-error path").isEmpty();
    assertThat(harness.unreleasedInputs()).as("input buffers released").isEmpty();
    assertThat(harness.registry().connectedCount()).as("client ids still claimed").isZero();
    harness.forgetInputs();
  }

  /** A CONNECT (mutated one time in eight) and one to four packets, cut into one to three reads. */
  private static List<byte[]> input(Random random) {
    List<byte[]> packets = new ArrayList<>();
    byte[] connect = pick(random, CONNECTS);
    packets.add(random.nextInt(8) == 0 ? mutate(random, connect) : connect);
    int count = 1 + random.nextInt(4);
    for (int p = 0; p < count; p++) {
      byte[] packet = pick(random, PACKETS);
      packets.add(random.nextInt(4) == 0 ? packet : mutate(random, packet));
    }
    byte[] stream = PipelineHarness.concat(packets.toArray(byte[][]::new));
    List<byte[]> reads = new ArrayList<>();
    int cuts = random.nextInt(3);
    int from = 0;
    for (int c = 0; c < cuts && from < stream.length; c++) {
      int to = from + random.nextInt(stream.length - from + 1);
      reads.add(Arrays.copyOfRange(stream, from, to));
      from = to;
    }
    reads.add(Arrays.copyOfRange(stream, from, stream.length));
    return reads;
  }

  /** One to three mutations of a copy of {@code packet}. */
  static byte[] mutate(Random random, byte[] packet) {
    byte[] bytes = packet.clone();
    int mutations = 1 + random.nextInt(3);
    for (int m = 0; m < mutations; m++) {
      bytes = mutateOnce(random, bytes);
    }
    return bytes;
  }

  private static byte[] mutateOnce(Random random, byte[] bytes) {
    if (bytes.length == 0) {
      return new byte[] {(byte) random.nextInt(256)};
    }
    int at = random.nextInt(bytes.length);
    switch (random.nextInt(7)) {
      case 0 -> { // bit flip
        bytes[at] ^= (byte) (1 << random.nextInt(8));
        return bytes;
      }
      case 1 -> { // interesting byte
        bytes[at] = INTERESTING[random.nextInt(INTERESTING.length)];
        return bytes;
      }
      case 2 -> { // truncation
        return Arrays.copyOf(bytes, at);
      }
      case 3 -> { // insertion of random bytes
        byte[] inserted = new byte[1 + random.nextInt(4)];
        random.nextBytes(inserted);
        return insert(bytes, at, inserted);
      }
      case 4 -> { // duplicated slice
        int length = 1 + random.nextInt(bytes.length - at);
        return insert(bytes, random.nextInt(bytes.length + 1),
            Arrays.copyOfRange(bytes, at, at + length));
      }
      case 5 -> { // splice: this packet's head, another's tail
        byte[] other = pick(random, random.nextBoolean() ? PACKETS : CONNECTS);
        int tail = random.nextInt(other.length + 1);
        return PipelineHarness.concat(Arrays.copyOf(bytes, at),
            Arrays.copyOfRange(other, tail, other.length));
      }
      default -> { // length field: the Remaining Length or a string length prefix
        int field = random.nextBoolean() || bytes.length < 4 ? 1
            : 2 + random.nextInt(bytes.length - 3);
        if (field < bytes.length) {
          bytes[field] = random.nextBoolean() ? INTERESTING[random.nextInt(INTERESTING.length)]
              : (byte) (bytes[field] + random.nextInt(7) - 3);
        }
        return bytes;
      }
    }
  }

  // ---------------------------------------------------------------- health and leaks

  /** Healthy clients on the same registry and bridge connect, ping and get a publication. */
  private void checkHealthy(PipelineHarness harness, int from, int to) {
    String block = "after inputs " + from + ".." + to + " of seed " + seed;
    EmbeddedChannel subscriber = harness.connected("health-sub");
    harness.feed(subscriber, subscribe(1, "health/#", 1));
    harness.settle();
    assertThat(written(subscriber)).as("SUBACK %s", block).isEqualTo(hex("90 03 00 01 01"));
    EmbeddedChannel publisher = harness.connected("health-pub");

    harness.feed(publisher, PINGREQ, publish(0x02, utf8("health/x"), 9, utf8("ok")));
    harness.settle();

    assertThat(written(publisher)).as("PINGRESP and PUBACK %s", block)
        .isEqualTo(PipelineHarness.concat(PINGRESP, hex("40 02 00 09")));
    byte[] delivered = written(subscriber);
    assertThat(delivered).as("publication delivered %s", block).isNotEmpty();
    assertThat(delivered[0] & 0xF0).isEqualTo(0x30);
    assertThat(new String(delivered, StandardCharsets.ISO_8859_1)).contains("health/x");
    harness.closeChannels();
    assertThat(harness.unexpectedErrors()).as("errors %s", block).isEmpty();
    assertThat(harness.unreleasedInputs()).as("input buffers released %s", block).isEmpty();
    assertThat(harness.registry().connectedCount()).isZero();
    harness.forgetInputs();

    for (int round = 0; round < 3; round++) {
      pollLeaks();
    }
    List<String> leaks;
    synchronized (LEAKS) {
      leaks = LEAKS.stream().filter(leak -> !leak.contains(CANARY)).toList();
    }
    assertThat(leaks).as("buffers leaked %s (reproduce: -Dcourier.fuzz.seed=%d"
        + " -Dcourier.fuzz.iterations=%d)", block, seed, to + 1).isEmpty();
  }

  /**
   * Lets the detector see buffers collected since the last poll: at PARANOID every tracked
   * allocation drains its reference queue, so a collection followed by a few allocations reports
   * them. (The pooled allocator tracks every buffer; unpooled heap buffers are never tracked.)
   */
  private static void pollLeaks() {
    System.gc();
    for (int i = 0; i < 8; i++) {
      ByteBufAllocator.DEFAULT.buffer(8).release();
    }
  }

  private static void leakOneBuffer() {
    ByteBuf leaked = ByteBufAllocator.DEFAULT.buffer(8);
    leaked.touch(CANARY);
    leaked.writeByte(1);
  }

  // ---------------------------------------------------------------- helpers

  private static byte[] insert(byte[] bytes, int at, byte[] inserted) {
    return PipelineHarness.concat(Arrays.copyOf(bytes, at), inserted,
        Arrays.copyOfRange(bytes, at, bytes.length));
  }

  private static byte[] pick(Random random, List<byte[]> from) {
    return from.get(random.nextInt(from.size()));
  }

  /**
   * Each input has its own generator, so inputs do not shift when a mutation changes; a failure is
   * still reproduced by running up to its iteration, as earlier inputs leave state in the bridge.
   */
  private static long mix(long seed, int iteration) {
    long z = seed + (iteration + 1) * 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private String describe(int iteration, List<byte[]> reads) {
    StringBuilder text = new StringBuilder("fuzz input failed: -Dcourier.fuzz.seed=").append(seed)
        .append(" iteration ").append(iteration).append(" (reproduce with")
        .append(" -Dcourier.fuzz.iterations=").append(iteration + 1).append("); reads:");
    for (byte[] read : reads) {
      text.append("\n  ").append(hex(read));
    }
    return text.toString();
  }
}
