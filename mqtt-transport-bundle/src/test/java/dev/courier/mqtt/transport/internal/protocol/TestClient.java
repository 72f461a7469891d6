package dev.courier.mqtt.transport.internal.protocol;

import dev.courier.mqtt.transport.internal.protocol.context.ProtocolViolation;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.courier.mqtt.transport.spi.bridge.MessagingBridge;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One client connection of an engine test: feeds packets to an {@link MqttConnection} the way
 * {@code MqttConnectionHandler} does (handle, release, read complete; close on a violation), runs
 * the loop, and reads what the engine wrote, in order.
 */
final class TestClient {

  final RecordingPort port;
  final MqttConnection connection;
  private final EngineFixture fixture;
  private int read;

  TestClient(EngineFixture fixture, MessagingBridge bridge) {
    this.fixture = fixture;
    this.port = new RecordingPort(fixture.loop);
    this.connection = new MqttEngine(fixture.config, fixture.registry, bridge, fixture.access,
        fixture.statistics).newConnection(port);
    port.connection(connection);
  }

  /** Hands one packet to the engine as the connection handler does, then runs the loop. */
  void send(MqttMessage message) {
    try {
      connection.handle(message);
    } finally {
      ReferenceCountUtil.release(message);
    }
    connection.readComplete();
    fixture.loop.runAll();
  }

  /** Sends a packet that must break the protocol; closes the connection as the handler does. */
  ProtocolViolation sendViolating(MqttMessage message) {
    ProtocolViolation violation;
    try {
      violation = catchThrowableOfType(() -> connection.handle(message), ProtocolViolation.class);
    } finally {
      ReferenceCountUtil.release(message);
    }
    assertThat(violation).as("ProtocolViolation").isNotNull();
    port.close();
    fixture.loop.runAll();
    return violation;
  }

  /**
   * Sends a packet that must break the protocol, and answers the violation as {@code
   * MqttConnectionHandler} does: through the engine's one door out, {@code fail}, which sends
   * what the client's version allows (DISCONNECT, or CONNACK before CONNECT was answered) and
   * closes.
   */
  ProtocolViolation sendFailing(MqttMessage message) {
    ProtocolViolation violation;
    try {
      violation = catchThrowableOfType(() -> connection.handle(message), ProtocolViolation.class);
    } finally {
      ReferenceCountUtil.release(message);
    }
    assertThat(violation).as("ProtocolViolation").isNotNull();
    connection.fail(violation);
    fixture.loop.runAll();
    return violation;
  }

  /** CONNECT with MQTT 3.1.1; asserts and returns the CONNACK. */
  MqttConnAckMessage connect(String clientId, boolean cleanSession) {
    send(Packets.connect(clientId, cleanSession));
    MqttConnAckMessage connAck = nextConnAck();
    assertThat(connAck.variableHeader().connectReturnCode())
        .isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
    return connAck;
  }

  /** The connection is lost (no DISCONNECT). */
  void drop() {
    port.close();
    fixture.loop.runAll();
  }

  /** The next packet the engine wrote and flushed. */
  MqttMessage next() {
    assertThat(read).as("packets written and flushed").isLessThan(port.flushedCount);
    return port.written.get(read++);
  }

  MqttMessage next(MqttMessageType type) {
    MqttMessage message = next();
    assertThat(message.fixedHeader().messageType()).isEqualTo(type);
    return message;
  }

  MqttConnAckMessage nextConnAck() {
    return (MqttConnAckMessage) next(MqttMessageType.CONNACK);
  }

  MqttPublishMessage nextPublish() {
    return (MqttPublishMessage) next(MqttMessageType.PUBLISH);
  }

  /** Asserts the next packet is an acknowledgement of {@code type} for {@code packetId}. */
  void expectAck(MqttMessageType type, int packetId) {
    MqttMessage ack = next(type);
    assertThat(((MqttMessageIdVariableHeader) ack.variableHeader()).messageId())
        .as("packet id of " + type).isEqualTo(packetId);
  }

  /** Every packet written and not read yet. */
  List<MqttMessage> rest() {
    List<MqttMessage> rest = new ArrayList<>();
    while (read < port.written.size()) {
      rest.add(port.written.get(read++));
    }
    return rest;
  }

  void expectNothingMore() {
    assertThat(port.written.subList(read, port.written.size())).as("unexpected packets")
        .isEmpty();
  }

  static String text(MqttPublishMessage publish) {
    return publish.payload().toString(StandardCharsets.UTF_8);
  }

  static int packetId(MqttMessage message) {
    if (message instanceof MqttPublishMessage publish) {
      return publish.variableHeader().packetId();
    }
    return ((MqttMessageIdVariableHeader) message.variableHeader()).messageId();
  }

  void dispose() {
    if (!port.closed) {
      port.close();
    }
    port.releaseWritten();
  }
}
