package dev.courier.mqtt.transport.internal.netty;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which client address a WebSocket connection reports behind a trusted reverse proxy. */
class WebSocketFramesTest {

  private final WebSocketFrames frames = new WebSocketFrames(Set.of("10.0.0.1", "10.0.0.2"));

  private static InetSocketAddress peer(String ip) {
    return new InetSocketAddress(ip, 40000);
  }

  @Test
  void whenThePeerIsNotTrusted_thenTheHeaderIsIgnored() {
    assertThat(frames.forwardedClient(peer("192.0.2.9"), List.of("203.0.113.7"))).isNull();
  }

  @Test
  void whenATrustedProxyForwards_thenTheClientIsTheRightMostEntryThatIsNoTrustedProxy() {
    assertThat(frames.forwardedClient(peer("10.0.0.1"), List.of("203.0.113.7")))
        .isEqualTo("203.0.113.7");
    // the client made up the first entry; the second proxy (trusted) added the first proxy's
    assertThat(frames.forwardedClient(peer("10.0.0.1"),
        List.of("198.51.100.1, 203.0.113.7, 10.0.0.2"))).isEqualTo("203.0.113.7");
    // several header lines are one list, in order
    assertThat(frames.forwardedClient(peer("10.0.0.1"), List.of("198.51.100.1", "203.0.113.8")))
        .isEqualTo("203.0.113.8");
    assertThat(frames.forwardedClient(peer("10.0.0.1"), List.of("2001:db8::7")))
        .isEqualTo("2001:db8:0:0:0:0:0:7");
  }

  @Test
  void whenTheEntryIsNoIpAddress_orOnlyProxiesAreListed_thenThePeerStands() {
    assertThat(frames.forwardedClient(peer("10.0.0.1"), List.of("203.0.113.7, unknown")))
        .isNull();
    assertThat(frames.forwardedClient(peer("10.0.0.1"), List.of("evil.example.com"))).isNull();
    assertThat(frames.forwardedClient(peer("10.0.0.1"), List.of("10.0.0.2"))).isNull();
    assertThat(frames.forwardedClient(peer("10.0.0.1"), List.of())).isNull();
  }
}
