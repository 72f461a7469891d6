package dev.courier.mqtt.transport.internal.netty;

import static dev.courier.mqtt.transport.internal.netty.PipelineHarness.concat;
import static dev.courier.mqtt.transport.internal.netty.PipelineHarness.hex;
import static dev.courier.mqtt.transport.internal.netty.PipelineHarness.packet;
import static dev.courier.mqtt.transport.internal.netty.PipelineHarness.prefixed;
import static dev.courier.mqtt.transport.internal.netty.PipelineHarness.utf8;
import static dev.courier.mqtt.transport.internal.netty.PipelineHarness.written;
import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.internal.config.TransportConfig;
import dev.courier.mqtt.transport.internal.protocol.context.AccessControl;
import dev.courier.mqtt.transport.spi.auth.AuthExchange;
import dev.courier.mqtt.transport.spi.auth.AuthStep;
import dev.courier.mqtt.transport.spi.auth.ClientIdentity;
import dev.courier.mqtt.transport.spi.auth.ConnectCredentials;
import dev.courier.mqtt.transport.spi.auth.EnhancedAuthenticator;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The AUTH packet (MQTT 5.0 section 3.15) as bytes through the real pipeline: Netty's encoder
 * writes the server's AUTH and the CONNACK's Authentication Method only on a 5.0 channel, and the
 * frame validator and decoder pass the client's AUTH to the engine.
 */
class EnhancedAuthPipelineTest {

  /** Challenges once with "s1", then accepts when the client answered "c2" ("final" as data). */
  private static final class TwoStep implements EnhancedAuthenticator {
    final List<String> received = new ArrayList<>();

    @Override
    public Set<String> methods() {
      return Set.of("M");
    }

    @Override
    public AuthExchange begin(String method, ConnectCredentials credentials,
        ClientIdentity reauthenticating) {
      return data -> {
        String text = new String(data, StandardCharsets.UTF_8);
        received.add(text);
        CompletionStage<AuthStep> step = CompletableFuture.completedFuture(text.equals("c2")
            ? AuthStep.success("u", Set.of(), utf8("final")) : AuthStep.challenge(utf8("s1")));
        return step;
      };
    }
  }

  private final AccessControl access = AccessControl.open();
  private final TwoStep authenticator = new TwoStep();
  private final PipelineHarness harness;

  EnhancedAuthPipelineTest() {
    access.enhancedAuthenticator(authenticator);
    harness = new PipelineHarness(TransportConfig.defaults(), access);
  }

  @AfterEach
  void releaseEverything() {
    harness.closeChannels();
    assertThat(harness.unreleasedInputs()).as("input buffers released").isEmpty();
    assertThat(harness.unexpectedErrors()).isEmpty();
    harness.shutdown();
  }

  @Test
  void whenA5ConnectNamesAMethod_thenAuthAndConnAckCarryItOnTheWire() {
    EmbeddedChannel channel = harness.channel();
    // CONNECT 5.0, clean start, keep alive 60; properties: Authentication Method "M" (0x15),
    // Authentication Data "c1" (0x16).
    harness.feed(channel, packet(0x10, concat(prefixed(utf8("MQTT")), hex("05 02 00 3C"),
        hex("09 15 00 01 4D 16 00 02 63 31"), prefixed(utf8("cid")))));

    // AUTH, reason 0x18, properties: method "M", data "s1".
    assertThat(hex(written(channel))).isEqualTo("f0 0b 18 09 15 00 01 4d 16 00 02 73 31");

    harness.feed(channel, packet(0xF0, hex("18 09 15 00 01 4D 16 00 02 63 32")));

    byte[] connAck = written(channel);
    // Authentication Method "M" and Authentication Data "final" among the CONNACK properties.
    assertThat(hex(connAck)).startsWith("20").contains("15 00 01 4d 16 00 05 66 69 6e 61 6c");
    assertThat(connAck[3]).as("CONNACK reason code").isZero();
    assertThat(authenticator.received).containsExactly("c1", "c2");
  }

  @Test
  void whenA311ClientSendsAuth_thenTheConnectionIsClosedWithoutAPacket() {
    EmbeddedChannel channel = harness.connected("old");

    harness.feed(channel, hex("F0 00"));

    assertThat(written(channel)).isEmpty();
    assertThat(channel.isActive()).isFalse();
  }
}
