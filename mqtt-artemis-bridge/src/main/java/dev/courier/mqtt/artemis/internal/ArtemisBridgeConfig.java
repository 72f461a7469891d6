package dev.courier.mqtt.artemis.internal;

/**
 * Settings of the Artemis bridge.
 *
 * @param deliveryBuffer messages a session takes from Artemis ahead of its client (per session;
 *     the rest stays in Artemis, paged to disk under its address settings)
 * @param threads threads for blocking Artemis calls (creating and destroying queues)
 * @param maxPendingOperations queued blocking calls before new ones are refused
 * @param loadTimeoutMillis longest wait for stored state at start and for a session record
 */
public record ArtemisBridgeConfig(int deliveryBuffer, int threads, int maxPendingOperations,
    long loadTimeoutMillis) {

  /** The defaults. */
  public static final ArtemisBridgeConfig DEFAULTS = new ArtemisBridgeConfig(256, 4, 10_000, 60_000);

  /** Validates. */
  public ArtemisBridgeConfig {
    if (deliveryBuffer < 1 || threads < 1 || maxPendingOperations < 1 || loadTimeoutMillis < 1) {
      throw new IllegalArgumentException("bridge settings must be positive");
    }
  }
}
