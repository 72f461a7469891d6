package dev.courier.mqtt.transport.internal.protocol.context;

import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection events log: one line per connect, refusal, takeover, disconnect, subscribe and
 * unsubscribe, on the logger {@value #LOGGER}, which the distribution writes to its own file
 * ({@code data/log/mqtt-events.log}). A line names the client id and never holds a password or a
 * payload. The lines are made only while the logger logs at INFO.
 */
public final class ConnectionEvents {

  /** The logger of the events. */
  public static final String LOGGER = "dev.courier.mqtt.events";

  private static final Logger EVENTS = LoggerFactory.getLogger(LOGGER);

  /** The events, to {@value #LOGGER} at INFO. */
  public static final ConnectionEvents LOG = new ConnectionEvents(EVENTS::info,
      EVENTS::isInfoEnabled);

  private final Consumer<String> sink;
  private final BooleanSupplier enabled;

  private ConnectionEvents(Consumer<String> sink, BooleanSupplier enabled) {
    this.sink = sink;
    this.enabled = enabled;
  }

  /** Events that go to {@code sink} instead of the log: for tests that read the lines. */
  public static ConnectionEvents to(Consumer<String> sink) {
    return new ConnectionEvents(sink, () -> true);
  }

  private boolean enabled() {
    return enabled.getAsBoolean();
  }

  /** {@code 3.1}, {@code 3.1.1} or {@code 5}: how the events name a protocol version. */
  public static String version(io.netty.handler.codec.mqtt.MqttVersion version) {
    return version.name().substring("MQTT_".length()).replace('_', '.');
  }

  /** CONNACK accepted the client. */
  public void connected(String clientId, String user, String address, String protocol,
      int keepAliveSeconds, boolean cleanStart, boolean sessionPresent, boolean will) {
    if (enabled()) {
      sink.accept("connect client=" + clientId + " user=" + (user == null ? "-" : user)
          + " address=" + address + " protocol=" + protocol + " keepAlive=" + keepAliveSeconds
          + " cleanStart=" + cleanStart + " sessionPresent=" + sessionPresent + " will=" + will);
    }
  }

  /** CONNACK refused the client; {@code reason} is the code's name. */
  public void refused(String clientId, String address, String reason) {
    if (enabled()) {
      sink.accept("refuse client=" + (clientId.isEmpty() ? "-" : clientId) + " address=" + address
          + " reason=" + reason);
    }
  }

  /** A newer connection with the client id closes this one. */
  public void takenOver(String clientId, String address) {
    if (enabled()) {
      sink.accept("takeover client=" + clientId + " address=" + address);
    }
  }

  /** An administrator disconnected the client ({@code MqttTransport.kick}). */
  public void kicked(String clientId, String address, String reason) {
    if (enabled()) {
      sink.accept("kick client=" + clientId + " address=" + address + " reason="
          + (reason == null || reason.isBlank() ? "-" : reason.replace('\n', ' ')));
    }
  }

  /**
   * The connection of an accepted client ended.
   *
   * @param reason {@code disconnect} (the client said DISCONNECT), {@code taken-over}, {@code
   *     server-<REASON_CODE>} (the server ended it: a kick, a protocol error, a keep-alive timeout),
   *     or {@code connection-lost}
   */
  public void disconnected(String clientId, String address, String reason, long connectedMillis) {
    if (enabled()) {
      sink.accept("disconnect client=" + clientId + " address=" + address + " reason=" + reason
          + " duration=" + connectedMillis + "ms");
    }
  }

  /**
   * SUBSCRIBE: each filter with what SUBACK says, {@code qos1}, or the refusal as its MQTT 5.0
   * code, {@code 0x87} (a 3.1.1 SUBACK carries 0x80 for every refusal; the log keeps the reason).
   *
   * @param codes per filter, in their order: the QoS granted or the reason code
   */
  public void subscribed(String clientId, List<MqttTopicSubscription> filters, int[] codes) {
    if (enabled()) {
      StringBuilder line = new StringBuilder("subscribe client=").append(clientId);
      for (int i = 0; i < filters.size(); i++) {
        int code = codes[i];
        line.append(' ').append(filters.get(i).topicFilter()).append('=')
            .append(code < 0x80 ? "qos" + code : String.format("0x%02X", code));
      }
      sink.accept(line.toString());
    }
  }

  /** UNSUBSCRIBE of {@code filters}. */
  public void unsubscribed(String clientId, List<String> filters) {
    if (enabled()) {
      sink.accept("unsubscribe client=" + clientId + " filters=" + String.join(",", filters));
    }
  }
}
