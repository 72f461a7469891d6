package dev.courier.mqtt.transport.internal.config;

import java.util.Locale;

/**
 * What the transport must have before it serves clients: the bridge its listener needs, and
 * whether an authenticator and an authorizer must be present (fail closed) or may be absent (open).
 *
 * @param bridge {@value #AUTO}, {@value #ANY}, {@value #IN_MEMORY} or the name of a bridge
 * @param authenticator whether CONNECT needs an authenticator service
 * @param authorizer whether PUBLISH and SUBSCRIBE need an authorizer service
 * @param refusal how a 5.0 ack tells a client that a PUBLISH or SUBSCRIBE filter was refused
 */
public record Requirements(String bridge, Need authenticator, Need authorizer, Refusal refusal) {

  /** The requirements, refusals told as 0x87 Not authorized. */
  public Requirements(String bridge, Need authenticator, Need authorizer) {
    this(bridge, authenticator, authorizer, Refusal.NOT_AUTHORIZED);
  }

  /**
   * The reason code of a refused publication or subscription on MQTT 5.0 (3.1.1 is fixed by its
   * specification: a SUBACK 0x80, a normal PUBACK).
   */
  public enum Refusal {
    /** 0x87 Not authorized: the client learns why. */
    NOT_AUTHORIZED,
    /**
     * 0x80 Unspecified error: a client cannot tell a protected topic from any other failure, so it
     * cannot probe which topics the rules protect.
     */
    UNSPECIFIED;

    static Refusal parse(String text) {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    }
  }

  /**
   * The highest-ranked bridge service; while an installed bundle declares that it provides a bridge
   * and none is registered yet (or any more), no listener; the in-memory bridge only when no bundle
   * provides one.
   */
  public static final String AUTO = "auto";
  /** The highest-ranked bridge service present, else the in-memory bridge at once. */
  public static final String ANY = "any";
  /** Always the built-in in-memory bridge. */
  public static final String IN_MEMORY = "in-memory";

  /** Whether a service is needed. */
  public enum Need {
    /** Needed while an installed bundle declares that it provides the service. */
    AUTO,
    /** Always needed: without it clients are refused. */
    TRUE,
    /** Never needed: without it the transport is open. */
    FALSE;

    static Need parse(String text) {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    }
  }

  /** The defaults: everything {@code auto}. */
  public static Requirements defaults() {
    return new Requirements(AUTO, Need.AUTO, Need.AUTO);
  }

  /** Whether {@link #bridge} names one bridge rather than a policy. */
  public boolean namedBridge() {
    return !bridge.equals(AUTO) && !bridge.equals(ANY) && !bridge.equals(IN_MEMORY);
  }
}
