package dev.courier.mqtt.transport.internal.protocol.context;

/**
 * Whether a connection reads from its client, decided by reason: reading stops while any reason
 * holds and resumes only when none does, so that one resume (say, the channel became writable) never
 * undoes another pause (say, too many publications pending in the bridge). Used on the connection's
 * own thread only.
 *
 * <p>The connection's {@link ConnectionContext} is its gate (an idle connection holds no object
 * for it): a subclass gives the port to pause and the counters to tell.
 */
public abstract class ReadGate {

  /** Why reading is paused. */
  public enum Reason {
    /** CONNECT received; nothing more is read until CONNACK is sent [MQTT-3.1.4-5]. */
    CONNECTING,
    /** {@code maxInflightMessages} publications are pending in the bridge. */
    BACKLOG,
    /** The outbound buffer is above its high-water mark: the client does not read what we send. */
    OUTBOUND,
    /** A SUBSCRIBE or UNSUBSCRIBE is being applied; what follows it waits (see MqttConnection). */
    SUBSCRIBING,
    /** The client publishes faster than {@code maxPublishRate}; reading resumes when it may. */
    PUBLISH_RATE
  }

  private int reasons;

  ReadGate() {
  }

  /** The connection whose reading is paused and resumed. */
  public abstract ConnectionPort port();

  /** Where pauses are counted. */
  abstract TransportStatistics statistics();

  /** Pauses reading for {@code reason}; returns false if it held already. */
  public boolean pause(Reason reason) {
    int bit = 1 << reason.ordinal();
    if ((reasons & bit) != 0) {
      return false;
    }
    boolean wasOpen = reasons == 0;
    reasons |= bit;
    statistics().readPaused(reason);
    if (wasOpen) {
      port().pauseReading();
    }
    return true;
  }

  /** Lifts {@code reason}; reading resumes if no other reason holds. Returns false if it did not hold. */
  public boolean resume(Reason reason) {
    int bit = 1 << reason.ordinal();
    if ((reasons & bit) == 0) {
      return false;
    }
    reasons &= ~bit;
    if (reasons == 0) {
      port().resumeReading();
    }
    return true;
  }

  public boolean isPaused(Reason reason) {
    return (reasons & (1 << reason.ordinal())) != 0;
  }
}
