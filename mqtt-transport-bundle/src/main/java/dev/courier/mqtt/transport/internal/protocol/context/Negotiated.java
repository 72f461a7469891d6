package dev.courier.mqtt.transport.internal.protocol.context;

/**
 * The limits of one connection as CONNECT and CONNACK settled them (MQTT 5.0 section 3.1.2.11 and
 * 3.2.2.3); MQTT 3.x connections keep {@link #DEFAULT}, where nothing is limited by the client.
 *
 * @param clientReceiveMaximum QoS 1/2 deliveries the client accepts unacknowledged [MQTT-3.3.4-7]
 * @param serverReceiveMaximum QoS 1/2 publications we accept unacknowledged from the client
 * @param clientMaximumPacketSize the largest packet the client accepts [MQTT-3.1.2-24]
 * @param clientTopicAliasMaximum aliases we may use towards the client [MQTT-3.1.2-26]
 * @param serverTopicAliasMaximum aliases the client may use towards us [MQTT-3.2.2-17]
 * @param keepAliveSeconds the keep alive in force
 * @param sessionExpirySeconds the session expiry interval in force (0: ends with the connection)
 * @param problemInformation whether reason strings and user properties may be sent on acks
 *     [MQTT-3.1.2-29]
 * @param keepAliveChanged whether the server chose another keep alive than the client asked
 * @param sessionExpiryMaximum the longest session expiry interval the server grants, also to one
 *     set at DISCONNECT
 * @param sessionExpiryChanged whether the server granted a shorter session expiry interval than
 *     the client asked, to be told in CONNACK [MQTT-3.2.2.3.2]
 */
public record Negotiated(int clientReceiveMaximum, int serverReceiveMaximum,
    int clientMaximumPacketSize, int clientTopicAliasMaximum, int serverTopicAliasMaximum,
    int keepAliveSeconds, long sessionExpirySeconds, boolean problemInformation,
    boolean keepAliveChanged, long sessionExpiryMaximum, boolean sessionExpiryChanged) {

  /** A session expiry interval of 0xFFFFFFFF: the session does not expire. */
  private static final long NEVER = 0xFFFF_FFFFL;

  /** Before CONNECT: no client-side limits. */
  public static final Negotiated DEFAULT =
      new Negotiated(65_535, 65_535, Integer.MAX_VALUE, 0, 0, 0, 0, true, false, NEVER, false);

  /** Whether the session outlives the connection (a 3.x persistent session, 5.0 expiry > 0). */
  public boolean persistentSession() {
    return sessionExpirySeconds > 0;
  }

  /**
   * The same limits with the session expiry interval a DISCONNECT set (3.14.2.2.2), held to
   * {@link #sessionExpiryMaximum}: the server's maximum applies however the client asks.
   */
  public Negotiated withSessionExpiry(long seconds) {
    return new Negotiated(clientReceiveMaximum, serverReceiveMaximum, clientMaximumPacketSize,
        clientTopicAliasMaximum, serverTopicAliasMaximum, keepAliveSeconds,
        Math.min(seconds, sessionExpiryMaximum), problemInformation, keepAliveChanged,
        sessionExpiryMaximum, sessionExpiryChanged);
  }
}
