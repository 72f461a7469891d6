package dev.courier.mqtt.transport.internal.protocol;

import dev.courier.mqtt.transport.internal.protocol.context.ProtocolViolation;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Packets a client pipelines behind CONNECT before CONNACK is sent, or behind a SUBSCRIBE or
 * UNSUBSCRIBE still being applied: held (retained, bounded) and replayed in order. Reading is paused
 * meanwhile, so what is held is at most what one read brought. Used on the connection's thread only.
 */
final class EarlyPackets {

  /** Packets a client may pipeline behind CONNECT before CONNACK is sent. */
  static final int MAX_BEFORE_CONNACK = 1024;
  /** Packets held behind a subscription change: bounded by one read (the smallest are 2 bytes). */
  static final int MAX_BEHIND_SUBSCRIBE = 65_536;

  private ArrayDeque<MqttMessage> held;

  /** Holds a packet; the caller keeps its own reference. */
  void hold(MqttMessage message, int limit) {
    if (message.fixedHeader().messageType() == MqttMessageType.CONNECT) {
      throw new ProtocolViolation("MQTT-3.1.0-2", "second CONNECT");
    }
    if (held == null) {
      held = new ArrayDeque<>();
    }
    if (held.size() >= limit) {
      throw new ProtocolViolation("MQTT-4.8.0-1", "too many packets pipelined");
    }
    held.add(ReferenceCountUtil.retain(message));
  }

  /** Whether packets are held (what arrives now must queue behind them). */
  boolean holds() {
    return held != null && !held.isEmpty();
  }

  /**
   * Hands the held packets to {@code dispatch} in order while {@code goOn} holds; what is left
   * stays held (for a later replay, or {@link #release}).
   *
   * @throws ProtocolViolation from {@code dispatch}; then the rest are released
   */
  void replay(Consumer<MqttMessage> dispatch, BooleanSupplier goOn) {
    if (held == null) {
      return;
    }
    boolean failed = true;
    try {
      while (!held.isEmpty() && goOn.getAsBoolean()) {
        MqttMessage message = held.poll();
        try {
          dispatch.accept(message);
        } finally {
          ReferenceCountUtil.release(message);
        }
      }
      failed = false;
    } finally {
      if (failed || held.isEmpty()) {
        release();
      }
    }
  }

  /** Drops what is held. */
  void release() {
    if (held != null) {
      held.forEach(ReferenceCountUtil::release);
      held = null;
    }
  }
}
