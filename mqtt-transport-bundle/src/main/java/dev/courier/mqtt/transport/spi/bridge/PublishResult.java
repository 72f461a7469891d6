package dev.courier.mqtt.transport.spi.bridge;

/**
 * What a bridge did with a publication, which the transport tells an MQTT 5.0 publisher in the
 * PUBACK or PUBREC reason code (MQTT 5.0 sections 3.4.2.1 and 3.5.2.1). An MQTT 3.x publisher
 * cannot be told: it gets its usual acknowledgement for a kept publication, and none for one that
 * was not kept (its connection is closed, so that it sends the publication again later).
 *
 * @since 0.5
 */
public enum PublishResult {

  /** Kept, and routed to at least one subscription (or the bridge cannot tell): 0x00 Success. */
  ACCEPTED,

  /**
   * Kept (a retained message is stored or cleared), but no subscription matched: 0x10 No matching
   * subscribers.
   */
  NO_MATCHING_SUBSCRIBERS,

  /**
   * Not kept: a limit of the host refused it for now (an address or queue is full and its policy
   * is to refuse), or, since 0.7, a retained publication would exceed the retained bounds ({@link
   * MessagingBridge#limitRetained}): 0x97 Quota exceeded.
   */
  QUOTA_EXCEEDED;

  /**
   * Whether the bridge has the publication.
   *
   * @return false only for {@link #QUOTA_EXCEEDED}
   */
  public boolean kept() {
    return this != QUOTA_EXCEEDED;
  }
}
