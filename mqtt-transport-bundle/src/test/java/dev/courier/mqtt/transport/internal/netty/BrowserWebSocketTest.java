package dev.courier.mqtt.transport.internal.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real browser on the WebSocket listener: headless Chromium loads a page served by this test
 * that connects with the Eclipse Paho JavaScript client over ws://, subscribes, says so, and
 * echoes what it receives; a TCP client publishes to it once it is subscribed and gets the echo.
 * Chromium is Debian's package {@code chromium} ({@code .ci/run} installs it); where it is not
 * installed the test is skipped, saying so.
 */
class BrowserWebSocketTest {

  private static final String PAHO_JS = "META-INF/resources/webjars/paho-mqtt/1.1.0/paho-mqtt.js";

  @TempDir
  Path profile;

  private RunningTransport server;
  private HttpServer pages;
  private Process browser;
  private final List<MqttClient> clients = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() {
    if (browser != null) {
      browser.descendants().forEach(ProcessHandle::destroyForcibly);
      browser.destroyForcibly();
    }
    if (pages != null) {
      pages.stop(0);
    }
    RunningTransport.closeClients(clients);
    if (server != null) {
      server.close();
    }
  }

  @Test
  void whenABrowserPageConnectsOverWebSocket_thenItSubscribesAndReceivesWhatATcpClientSends()
      throws Exception {
    Path chromium = Path.of(System.getProperty("courier.chromium", "/usr/bin/chromium"));
    Assumptions.assumeTrue(Files.isExecutable(chromium),
        "no browser at " + chromium + " (Debian package chromium; .ci/run installs it)");
    server = new RunningTransport(RunningTransport.loopback().websocketPort(0).build());
    int websocketPort = server.transport.websocketAddress().getPort();

    List<String> fromPage = new CopyOnWriteArrayList<>();
    MqttClient tcp = new MqttClient(server.uri(), "tcp-side", new MemoryPersistence());
    clients.add(tcp);
    tcp.setCallback(new MqttCallback() {
      @Override
      public void connectionLost(Throwable cause) {}

      @Override
      public void messageArrived(String topic, MqttMessage message) throws Exception {
        String text = new String(message.getPayload(), StandardCharsets.UTF_8);
        fromPage.add(topic + ": " + text);
        if (topic.equals("browser/ready")) {
          // a new thread: Paho's callback thread may not publish and wait for the ack itself
          new Thread(() -> {
            try {
              tcp.publish("browser/in", "hello from TCP".getBytes(StandardCharsets.UTF_8), 1,
                  false);
            } catch (Exception e) {
              fromPage.add("publish failed: " + e);
            }
          }).start();
        }
      }

      @Override
      public void deliveryComplete(IMqttDeliveryToken token) {}
    });
    MqttConnectOptions options = new MqttConnectOptions();
    options.setAutomaticReconnect(false);
    tcp.connect(options);
    tcp.subscribe("browser/#", 1);

    pages = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    pages.createContext("/", exchange -> respond(exchange, "text/html",
        page(websocketPort).getBytes(StandardCharsets.UTF_8)));
    pages.createContext("/paho-mqtt.js", exchange -> {
      try (InputStream script = getClass().getClassLoader().getResourceAsStream(PAHO_JS)) {
        respond(exchange, "application/javascript", script.readAllBytes());
      }
    });
    pages.start();

    browser = new ProcessBuilder(chromium.toString(), "--headless=new", "--no-sandbox",
        "--disable-gpu", "--no-first-run", "--user-data-dir=" + profile,
        "http://127.0.0.1:" + pages.getAddress().getPort() + "/")
        .redirectErrorStream(true).redirectOutput(profile.resolve("chromium.log").toFile())
        .start();

    await().atMost(90, TimeUnit.SECONDS).pollInterval(100, TimeUnit.MILLISECONDS)
        .until(() -> fromPage.contains("browser/echo: page got hello from TCP"));
    assertThat(fromPage).startsWith("browser/ready: subscribed with QoS 1");
  }

  private static void respond(HttpExchange exchange, String type, byte[] body)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(200, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  /** The page: connect, subscribe, announce it, echo each message. */
  private static String page(int websocketPort) {
    return """
        <!doctype html>
        <html><head><meta charset="utf-8"><title>Courier over WebSocket</title>
        <script src="/paho-mqtt.js"></script></head>
        <body><div id="log"></div><script>
        var client = new Paho.Client("127.0.0.1", %d, "/mqtt", "browser-page");
        client.onMessageArrived = function (message) {
          document.getElementById("log").textContent += message.payloadString;
          var echo = new Paho.Message("page got " + message.payloadString);
          echo.destinationName = "browser/echo";
          echo.qos = 1;
          client.send(echo);
        };
        client.connect({ mqttVersion: 4, onSuccess: function () {
          client.subscribe("browser/in", { qos: 1, onSuccess: function (granted) {
            var ready = new Paho.Message("subscribed with QoS " + granted.grantedQos);
            ready.destinationName = "browser/ready";
            ready.qos = 1;
            client.send(ready);
          }});
        }});
        </script></body></html>
        """.formatted(websocketPort);
  }
}
