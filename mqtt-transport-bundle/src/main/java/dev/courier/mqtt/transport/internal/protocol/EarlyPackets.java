package dev.courier.mqtt.transport.internal.protocol;

import dev.courier.mqtt.transport.internal.protocol.context.ProtocolViolation;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Packets a client pipelines behind CONNECT before CONNACK is sent: held (retained, bounded) and
 * replayed in order once connected. Used on the connection's thread only.
 */
final class EarlyPackets {

  /** Packets a client may pipeline behind CONNECT before CONNACK is sent. */
  private static final int MAX_EARLY_PACKETS = 1024;

  private ArrayDeque<MqttMessage> held;

  /** Holds a packet; the caller keeps its own reference. */
  void hold(MqttMessage message) {
    if (message.fixedHeader().messageType() == MqttMessageType.CONNECT) {
      throw new ProtocolViolation("MQTT-3.1.0-2", "second CONNECT");
    }
    if (held == null) {
      held = new ArrayDeque<>();
    }
    if (held.size() >= MAX_EARLY_PACKETS) {
      throw new ProtocolViolation("MQTT-4.8.0-1", "too many packets before CONNACK");
    }
    held.add(ReferenceCountUtil.retain(message));
  }

  /**
   * Hands the held packets to {@code dispatch} while {@code goOn} holds, then releases all.
   *
   * @throws ProtocolViolation from {@code dispatch}; the rest are released all the same
   */
  void replay(Consumer<MqttMessage> dispatch, BooleanSupplier goOn) {
    if (held == null) {
      return;
    }
    try {
      while (!held.isEmpty() && goOn.getAsBoolean()) {
        MqttMessage message = held.poll();
        try {
          dispatch.accept(message);
        } finally {
          ReferenceCountUtil.release(message);
        }
      }
    } finally {
      release();
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
