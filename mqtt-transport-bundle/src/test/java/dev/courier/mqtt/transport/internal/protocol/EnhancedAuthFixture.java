package dev.courier.mqtt.transport.internal.protocol;

import static dev.courier.mqtt.transport.internal.protocol.Auth5.auth;
import static dev.courier.mqtt.transport.internal.protocol.Auth5.code;
import static dev.courier.mqtt.transport.internal.protocol.Auth5.connect;
import static dev.courier.mqtt.transport.internal.protocol.ScriptedAuthenticator.METHOD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.courier.mqtt.transport.internal.config.TransportConfig;
import dev.courier.mqtt.transport.internal.protocol.context.AccessControl;
import dev.courier.mqtt.transport.internal.protocol.context.ProtocolViolation;
import dev.courier.mqtt.transport.spi.auth.Authorizer;
import dev.courier.mqtt.transport.spi.auth.ClientIdentity;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * An engine whose access control has a {@link ScriptedAuthenticator} as enhanced authenticator and
 * an authorizer that allows everything and records who asked; packets are handed over as the
 * connection handler does (a violation goes through {@code fail}).
 */
final class EnhancedAuthFixture implements AutoCloseable {

  final AccessControl access = AccessControl.open();
  final ScriptedAuthenticator authenticator = new ScriptedAuthenticator();
  /** Who each PUBLISH was authorized for. */
  final List<ClientIdentity> authorized = new ArrayList<>();
  final EngineFixture engine;

  EnhancedAuthFixture(TransportConfig config) {
    access.enhancedAuthenticator(authenticator);
    access.authorizer(new Authorizer() {
      @Override
      public CompletionStage<Boolean> mayPublish(ClientIdentity client, String topic) {
        authorized.add(client);
        return CompletableFuture.completedFuture(true);
      }

      @Override
      public CompletionStage<Boolean> maySubscribe(ClientIdentity client, String filter) {
        return CompletableFuture.completedFuture(true);
      }
    });
    engine = new EngineFixture(config, access);
  }

  TestClient client() {
    return engine.client();
  }

  /** Hands a packet to the engine as the connection handler does; returns its violation or null. */
  ProtocolViolation send(TestClient client, MqttMessage message) {
    ProtocolViolation violation = null;
    try {
      client.connection.handle(message);
    } catch (ProtocolViolation e) {
      violation = e;
      client.connection.fail(e);
    } finally {
      ReferenceCountUtil.release(message);
    }
    client.connection.readComplete();
    engine.loop.runAll();
    return violation;
  }

  /** A client connected as alice (role ops) through a two-step exchange. */
  TestClient connectedWithExchange(String clientId) {
    authenticator.challenge("s1").succeed("alice", Set.of("ops"), null);
    TestClient client = client();
    send(client, connect(clientId, METHOD, "c1"));
    client.next(MqttMessageType.AUTH);
    send(client, auth(0x18, METHOD, "c2"));
    assertThat(code(client.nextConnAck())).isZero();
    return client;
  }

  /** Asserts the next packet is a CONNACK with {@code code} and the connection closed. */
  void assertRefused(TestClient client, int code) {
    MqttConnAckMessage connAck = client.nextConnAck();
    assertThat(code(connAck)).as("CONNACK reason code").isEqualTo(code);
    assertThat(client.port.closed).as("closed").isTrue();
    client.expectNothingMore();
  }

  /** Runs the loop until the client is closed by a deadline (a timer thread hands it over). */
  void awaitClosed(TestClient client) {
    await().atLeast(Duration.ofMillis(500)).atMost(Duration.ofSeconds(10))
        .pollInSameThread().pollInterval(Duration.ofMillis(20))
        .until(() -> {
          engine.loop.runAll();
          return client.port.closed;
        });
  }

  @Override
  public void close() {
    engine.close();
  }
}
