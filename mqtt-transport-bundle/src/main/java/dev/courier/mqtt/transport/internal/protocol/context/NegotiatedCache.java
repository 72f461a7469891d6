package dev.courier.mqtt.transport.internal.protocol.context;

/**
 * The {@link Negotiated} limits connections share: most clients of a transport settle on the same
 * ones (every 3.x client with the same keep alive and clean flag does), so a connection keeps the
 * instance a connection before it settled on when its own equals it, rather than one of its own
 * for as long as it is connected.
 *
 * <p>Thread-safe: one slot, read and replaced without a lock; the records are immutable, so a
 * lost update only costs a connection its own instance.
 */
public final class NegotiatedCache {

  private volatile Negotiated last = Negotiated.DEFAULT;

  /** {@code value}, or an equal instance already in use. */
  public Negotiated intern(Negotiated value) {
    Negotiated seen = last;
    if (seen.equals(value)) {
      return seen;
    }
    last = value;
    return value;
  }
}
