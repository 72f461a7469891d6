package dev.courier.mqtt.transport.internal.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.courier.mqtt.transport.internal.config.TransportConfig;
import dev.courier.mqtt.transport.internal.protocol.context.AccessControl;
import dev.courier.mqtt.transport.spi.auth.AuthenticationResult;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The WebSocket listener ({@code websocketPort}, {@code websocketPath}) on a real transport: a
 * real MQTT client over ws:// exchanging messages with one over TCP, and the JDK's WebSocket client
 * for what a library hides (sub-protocols, fragments, text frames, other paths).
 */
class WebSocketListenerTest {

  /** CONNECT, MQTT 3.1.1, clean session, keep alive 60 s, client id "ws-raw". */
  private static final byte[] CONNECT = {0x10, 0x12, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0x02,
      0x00, 0x3C, 0x00, 0x06, 'w', 's', '-', 'r', 'a', 'w'};
  private static final byte[] CONNACK = {0x20, 0x02, 0x00, 0x00};
  private static final byte[] PINGREQ = {(byte) 0xC0, 0x00};
  private static final byte[] PINGRESP = {(byte) 0xD0, 0x00};

  private RunningTransport server;
  private final List<MqttClient> clients = new CopyOnWriteArrayList<>();
  private final List<WebSocket> sockets = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() {
    RunningTransport.closeClients(clients);
    sockets.forEach(WebSocket::abort);
    if (server != null) {
      server.close();
    }
  }

  private void start(TransportConfig.Builder settings) {
    server = new RunningTransport(settings.build());
  }

  private URI uri(String path) {
    return URI.create("ws://127.0.0.1:" + server.transport.websocketAddress().getPort() + path);
  }

  @Test
  void whenPahoSubscribesOverWebSocket_thenItGetsAtQos1WhatATcpClientPublishes_andBack()
      throws Exception {
    start(RunningTransport.loopback().websocketPort(0));
    PahoInteropTest.Received overWebSocket = new PahoInteropTest.Received();
    PahoInteropTest.Received overTcp = new PahoInteropTest.Received();
    MqttClient web = client("ws://127.0.0.1:" + server.transport.websocketAddress().getPort()
        + "/mqtt", "browser", overWebSocket);
    MqttClient tcp = client(server.uri(), "backend", overTcp);
    web.subscribe("sensors/+", 1);
    tcp.subscribe("commands/#", 1);

    tcp.publish("sensors/t1", "21.5".getBytes(StandardCharsets.UTF_8), 1, false);
    web.publish("commands/t1", "on".getBytes(StandardCharsets.UTF_8), 1, false);

    PahoInteropTest.Message toWeb = overWebSocket.next();
    assertThat(toWeb.text()).isEqualTo("21.5");
    assertThat(toWeb.qos()).isEqualTo(1);
    PahoInteropTest.Message toTcp = overTcp.next();
    assertThat(toTcp.text()).isEqualTo("on");
    assertThat(toTcp.qos()).isEqualTo(1);
  }

  @Test
  void whenPacketsAreSplitAndJoinedAcrossFramesAndFragments_thenTheyAreReadAsOneStream()
      throws Exception {
    start(RunningTransport.loopback().websocketPort(0));
    Frames frames = new Frames();
    WebSocket socket = open(uri("/mqtt"), frames, "mqtt");
    assertThat(socket.getSubprotocol()).isEqualTo("mqtt");

    // CONNECT in a message of two fragments (binary, then continuation)...
    socket.sendBinary(ByteBuffer.wrap(CONNECT, 0, 7), false).join();
    socket.sendBinary(ByteBuffer.wrap(CONNECT, 7, 10), true).join();
    // ...whose last three bytes come in the next message, with half of a PINGREQ...
    byte[] tailAndHalf = Arrays.copyOfRange(CONNECT, 17, 21);
    tailAndHalf[3] = PINGREQ[0];
    socket.sendBinary(ByteBuffer.wrap(tailAndHalf), true).join();
    assertThat(frames.bytes(4)).containsExactly(CONNACK);
    // ...and the PINGREQ's second half alone.
    socket.sendBinary(ByteBuffer.wrap(PINGREQ, 1, 1), true).join();
    assertThat(frames.bytes(2)).containsExactly(PINGRESP);
  }

  @Test
  void whenAn31ClientAsksForMqttv31_thenThatSubprotocolIsChosen() throws Exception {
    start(RunningTransport.loopback().websocketPort(0));
    WebSocket socket = open(uri("/mqtt"), new Frames(), "mqttv3.1");
    assertThat(socket.getSubprotocol()).isEqualTo("mqttv3.1");
  }

  @Test
  void whenATextFrameComes_thenTheConnectionIsClosed() throws Exception {
    start(RunningTransport.loopback().websocketPort(0));
    Frames frames = new Frames();
    WebSocket socket = open(uri("/mqtt"), frames, "mqtt");

    socket.sendText("CONNECT", true).join();

    assertThat(frames.closed.get(10, TimeUnit.SECONDS)).isEqualTo(1003);
  }

  @Test
  void whenAnotherPathIsAsked_thenTheUpgradeIsRefusedWith404() {
    start(RunningTransport.loopback().websocketPort(0).websocketPath("/broker"));

    assertThatThrownBy(() -> open(uri("/mqtt"), new Frames(), "mqtt"))
        .isInstanceOf(CompletionException.class)
        .cause().isInstanceOf(WebSocketHandshakeException.class)
        .satisfies(e -> assertThat(((WebSocketHandshakeException) e).getResponse().statusCode())
            .isEqualTo(404));
    assertThat(open(uri("/broker"), new Frames(), "mqtt").getSubprotocol()).isEqualTo("mqtt");
  }

  @Test
  void whenMaxConnectionsIsReached_thenAWebSocketClientGetsTheRefusalCode() throws Exception {
    start(RunningTransport.loopback().websocketPort(0).maxConnections(1)
        .memoryRefusalPercent(0));
    Frames first = new Frames();
    WebSocket admitted = open(uri("/mqtt"), first, "mqtt");
    admitted.sendBinary(ByteBuffer.wrap(CONNECT), true).join();
    assertThat(first.bytes(4)).containsExactly(CONNACK);

    Frames second = new Frames();
    WebSocket refused = open(uri("/mqtt"), second, "mqtt");
    refused.sendBinary(ByteBuffer.wrap(CONNECT), true).join();

    assertThat(second.bytes(4)).as("CONNACK 3 Server unavailable")
        .containsExactly(0x20, 0x02, 0x00, 0x03);
    assertThat(server.transport.refusedConnections()).isEqualTo(1);
  }

  @Test
  void whenWebSocketPortIsOff_thenNoSuchListener_andARebindAddsAndRemovesIt() {
    start(RunningTransport.loopback());
    assertThat(server.transport.websocketAddress()).isNull();

    server.rebind(RunningTransport.loopback().websocketPort(0).build());
    assertThat(server.transport.websocketAddress()).isNotNull();
    assertThat(open(uri("/mqtt"), new Frames(), "mqtt").getSubprotocol()).isEqualTo("mqtt");

    server.rebind(RunningTransport.loopback().build());
    assertThat(server.transport.websocketAddress()).isNull();
    assertThat(server.transport.isBound()).as("the TCP listener stays").isTrue();
  }

  @Test
  void whenTheWebSocketPortIsTaken_thenTheFailureNamesTheKey_andTheOtherListenersRun()
      throws Exception {
    start(RunningTransport.loopback().websocketPort(0));
    int tcpPort = server.port();
    int webPort = server.transport.websocketAddress().getPort();
    try (java.net.ServerSocket taken =
        new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      assertThatThrownBy(() -> server.rebind(RunningTransport.loopback().port(tcpPort)
          .websocketPort(taken.getLocalPort()).build()))
          .isInstanceOf(NettyTransport.BindFailure.class)
          .hasMessageStartingWith("websocketPort:");
    }
    assertThat(server.port()).isEqualTo(tcpPort);
    assertThat(server.transport.websocketAddress().getPort()).as("the previous one kept")
        .isEqualTo(webPort);
    assertThat(open(uri("/mqtt"), new Frames(), "mqtt").getSubprotocol()).isEqualTo("mqtt");
  }

  @Test
  void whenATrustedProxyForwardsTheClient_thenTheAuthenticatorSeesTheClientsAddress()
      throws Exception {
    start(RunningTransport.loopback().websocketPort(0));
    List<String> seen = new CopyOnWriteArrayList<>();
    AccessControl access = AccessControl.open();
    access.authenticator(credentials -> {
      seen.add(credentials.remoteAddress());
      return CompletableFuture.completedFuture(AuthenticationResult.anonymous());
    });
    server.rebind(RunningTransport.loopback().websocketPort(0).build(), access);
    Frames untrusted = new Frames();
    WebSocket fromAnyone = open(uri("/mqtt"), untrusted, "mqtt", "203.0.113.7");
    fromAnyone.sendBinary(ByteBuffer.wrap(CONNECT), true).join();
    assertThat(untrusted.bytes(4)).containsExactly(CONNACK);

    server.rebind(RunningTransport.loopback().websocketPort(0)
        .websocketTrustedProxies(List.of("127.0.0.1")).build(), access);
    Frames trusted = new Frames();
    WebSocket fromProxy = open(uri("/mqtt"), trusted, "mqtt", "198.51.100.1, 203.0.113.7");
    fromProxy.sendBinary(ByteBuffer.wrap(CONNECT), true).join();
    assertThat(trusted.bytes(4)).containsExactly(CONNACK);

    assertThat(seen).hasSize(2);
    assertThat(seen.get(0)).as("header ignored from an untrusted peer").startsWith("/127.0.0.1:");
    assertThat(seen.get(1)).isEqualTo("/203.0.113.7");
  }

  private WebSocket open(URI uri, Frames frames, String subprotocol) {
    return open(uri, frames, subprotocol, null);
  }

  private WebSocket open(URI uri, Frames frames, String subprotocol, String forwardedFor) {
    WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder();
    if (forwardedFor != null) {
      builder.header("X-Forwarded-For", forwardedFor);
    }
    WebSocket socket = builder
        .connectTimeout(Duration.ofSeconds(10))
        .subprotocols(subprotocol)
        .buildAsync(uri, frames).join();
    sockets.add(socket);
    return socket;
  }

  private MqttClient client(String uri, String id, PahoInteropTest.Received received) throws Exception {
    MqttClient client = new MqttClient(uri, id, new MemoryPersistence());
    clients.add(client);
    client.setCallback(received);
    MqttConnectOptions options = new MqttConnectOptions();
    options.setAutomaticReconnect(false);
    client.connect(options);
    return client;
  }

  /** The binary bytes a JDK WebSocket received, as one stream, and its close code. */
  private static final class Frames implements WebSocket.Listener {
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
      synchronized (received) {
        while (data.hasRemaining()) {
          received.write(data.get());
        }
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closed.complete(statusCode);
      return null;
    }

    /** Waits for the next {@code n} bytes and takes them. */
    byte[] bytes(int n) {
      await().atMost(10, TimeUnit.SECONDS).until(() -> {
        synchronized (received) {
          return received.size() >= n;
        }
      });
      synchronized (received) {
        byte[] all = received.toByteArray();
        received.reset();
        received.write(all, n, all.length - n);
        return Arrays.copyOf(all, n);
      }
    }
  }
}
