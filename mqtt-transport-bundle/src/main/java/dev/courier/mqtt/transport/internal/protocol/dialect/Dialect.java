package dev.courier.mqtt.transport.internal.protocol.dialect;

import dev.courier.mqtt.transport.spi.bridge.SessionRequest;
import io.netty.handler.codec.mqtt.MqttVersion;

/**
 * What differs between the protocol versions beyond the packets' layout, as answers to the
 * questions the flows ask, so that no flow branches on the version.
 */
public enum Dialect {
  /** MQTT 3.1 (protocol level 3). */
  MQTT_3_1(MqttVersion.MQTT_3_1, Mqtt3Writer.INSTANCE),
  /** MQTT 3.1.1 (protocol level 4). */
  MQTT_3_1_1(MqttVersion.MQTT_3_1_1, Mqtt3Writer.INSTANCE),
  /** MQTT 5.0 (protocol level 5). */
  MQTT_5(MqttVersion.MQTT_5, Mqtt5Writer.INSTANCE);

  private final MqttVersion version;
  private final PacketWriter writer;

  Dialect(MqttVersion version, PacketWriter writer) {
    this.version = version;
    this.writer = writer;
  }

  /** The protocol version this dialect speaks. */
  public MqttVersion version() {
    return version;
  }

  /** The dialect of a CONNECT's protocol version. */
  public static Dialect of(MqttVersion version) {
    return switch (version) {
      case MQTT_3_1 -> MQTT_3_1;
      case MQTT_3_1_1 -> MQTT_3_1_1;
      case MQTT_5 -> MQTT_5;
    };
  }

  public PacketWriter writer() {
    return writer;
  }

  /**
   * Whether the server may assign an id to a client that sent an empty one: MQTT 3.1 never, 3.1.1
   * only with a clean session [MQTT-3.1.3-7] [MQTT-3.1.3-8], 5.0 always [MQTT-3.1.3-6].
   */
  public boolean mayAssignClientId(boolean cleanStart) {
    return this == MQTT_5 || (this == MQTT_3_1_1 && cleanStart);
  }

  /** Whether the CONNACK tells an assigned id (Assigned Client Identifier, 5.0) [MQTT-3.2.2-16]. */
  public boolean tellsAssignedClientId() {
    return this == MQTT_5;
  }

  /** Whether CONNACK carries the Session Present flag: not in MQTT 3.1. */
  public boolean hasSessionPresent() {
    return this != MQTT_3_1;
  }

  /**
   * The session expiry interval a CONNECT is granted: 5.0 asks in a property (absent: 0)
   * [MQTT-3.1.2-11 ... 3.1.2.11.2], held to the server's maximum (3.2.2.3.2); 3.x makes a clean
   * session end with its connection and keeps a persistent one for the configured time
   * ({@link SessionRequest#NEVER}: until a clean session replaces it).
   *
   * @param property the Session Expiry Interval property, or -1 if absent
   * @param maximum the longest interval granted to a 5.0 client
   * @param persistent how long a 3.x session with cleanSession=false is kept
   */
  public long sessionExpiry(boolean cleanStart, long property, long maximum, long persistent) {
    if (this == MQTT_5) {
      return Math.min(property < 0 ? 0 : property, maximum);
    }
    return cleanStart ? 0 : persistent;
  }

  /**
   * The QoS 1/2 publications a client may have unacknowledged towards us: 5.0 advertises and
   * enforces Receive Maximum (3.2.2.3.3); 3.x has no such limit (reading pauses instead).
   */
  public int serverReceiveMaximum(int configured) {
    return this == MQTT_5 ? configured : 65_535;
  }

  /** Whether a password needs a user name: in 3.x [MQTT-3.1.2-22]; 5.0 allows it alone. */
  public boolean passwordNeedsUserName() {
    return this != MQTT_5;
  }
}
