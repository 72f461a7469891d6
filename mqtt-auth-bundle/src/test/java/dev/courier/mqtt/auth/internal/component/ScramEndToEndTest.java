package dev.courier.mqtt.auth.internal.component;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.datatypes.MqttUtf8String;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientConfig;
import com.hivemq.client.mqtt.mqtt5.auth.Mqtt5EnhancedAuthMechanism;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.auth.Mqtt5Auth;
import com.hivemq.client.mqtt.mqtt5.message.auth.Mqtt5AuthBuilder;
import com.hivemq.client.mqtt.mqtt5.message.auth.Mqtt5EnhancedAuth;
import com.hivemq.client.mqtt.mqtt5.message.auth.Mqtt5EnhancedAuthBuilder;
import com.hivemq.client.mqtt.mqtt5.message.connect.Mqtt5Connect;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5Disconnect;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import dev.courier.mqtt.auth.internal.scram.ScramMechanism;
import dev.courier.mqtt.transport.internal.bridge.memory.InMemoryBridge;
import dev.courier.mqtt.transport.internal.config.TransportConfig;
import dev.courier.mqtt.transport.internal.netty.NettyTransport;
import dev.courier.mqtt.transport.internal.protocol.MqttEngine;
import dev.courier.mqtt.transport.internal.protocol.context.AccessControl;
import dev.courier.mqtt.transport.internal.session.SessionRegistry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SCRAM-SHA-256 end to end: the HiveMQ MQTT 5.0 client, with a client-side SCRAM written here from
 * RFC 5802 on the JDK's own PBKDF2, connects over TCP to the real transport whose enhanced
 * authenticator is this bundle's mechanism, with a users file made by {@code ScramSecrets}; the
 * topic rules then see the roles of the SCRAM entry. Also a wrong password, an unknown user, and a
 * re-authentication.
 */
class ScramEndToEndTest {

  @TempDir
  Path directory;

  private final AuthComponent component = new AuthComponent();
  private final InMemoryBridge bridge = new InMemoryBridge();
  private final NettyTransport transport = new NettyTransport();
  private final List<Mqtt5BlockingClient> clients = new ArrayList<>();

  @BeforeEach
  void start() throws IOException {
    Path users = directory.resolve("courier-scram.properties");
    Files.writeString(users, line("alice", "wonderland", "sensors"));
    component.activate(null, Map.of("authentication", "REQUIRED", "authorization", "REQUIRED",
        "rules", "allow role:sensors both sensors/#", "scramCredentialsFile", users.toString(),
        "failedLoginDelayMillis", "0"));
    AccessControl access = AccessControl.open();
    access.authenticator(component);
    access.authorizer(component);
    access.enhancedAuthenticator(component.scram());
    TransportConfig config = TransportConfig.builder().host("127.0.0.1").port(0).build();
    transport.rebind(new MqttEngine(config, new SessionRegistry(), bridge, access));
  }

  @AfterEach
  void stop() {
    for (Mqtt5BlockingClient client : clients) {
      if (client.getState().isConnected()) {
        client.disconnect();
      }
    }
    transport.shutdown();
    bridge.shutdown();
    component.deactivate();
  }

  /** A credentials file line made the way a user makes it: the tool, the password on stdin. */
  private static String line(String user, String password, String role) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int status = dev.courier.mqtt.auth.internal.scram.ScramSecretsAccess.run(
        new String[] {user, role},
        new ByteArrayInputStream((password + "\n").getBytes(StandardCharsets.UTF_8)),
        new PrintStream(out, true, StandardCharsets.UTF_8));
    assertThat(status).isZero();
    return out.toString(StandardCharsets.UTF_8);
  }

  private Mqtt5BlockingClient client(String id) {
    Mqtt5BlockingClient client = Mqtt5Client.builder().identifier(id).serverHost("127.0.0.1")
        .serverPort(transport.boundAddress().getPort()).buildBlocking();
    clients.add(client);
    return client;
  }

  @Test
  void whenAliceConnectsWithScram_thenTheServerIsVerifiedAndHerRolesGovernTheTopics()
      throws InterruptedException {
    ClientScram scram = new ClientScram("alice", "wonderland");
    Mqtt5BlockingClient client = client("e2e-alice");

    Mqtt5ConnAck connAck = client.connectWith().enhancedAuth(scram).send();

    assertThat(connAck.getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.SUCCESS);
    assertThat(connAck.getEnhancedAuth()).map(auth -> auth.getMethod().toString())
        .contains(ScramMechanism.METHOD);
    assertThat(scram.serverVerified).as("server signature checked by the client").isTrue();
    try (Mqtt5BlockingClient.Mqtt5Publishes publishes =
        client.publishes(MqttGlobalPublishFilter.ALL)) {
      client.subscribeWith().topicFilter("sensors/#").qos(MqttQos.AT_LEAST_ONCE).send();
      client.publishWith().topic("sensors/t1").qos(MqttQos.AT_LEAST_ONCE)
          .payload("21".getBytes(StandardCharsets.UTF_8)).send();
      Optional<Mqtt5Publish> received = publishes.receive(10, TimeUnit.SECONDS);
      assertThat(received).map(publish -> publish.getTopic().toString()).contains("sensors/t1");
    }
    assertThatThrownBy(() -> client.subscribeWith().topicFilter("other/#").send())
        .isInstanceOfSatisfying(Mqtt5SubAckException.class, e -> assertThat(
            e.getMqttMessage().getReasonCodes()).containsExactly(
                Mqtt5SubAckReasonCode.NOT_AUTHORIZED));
  }

  @Test
  void whenThePasswordIsWrong_thenConnAck0x86() {
    Mqtt5BlockingClient client = client("e2e-wrong");

    assertThatThrownBy(() -> client.connectWith()
        .enhancedAuth(new ClientScram("alice", "looking-glass")).send())
        .isInstanceOfSatisfying(Mqtt5ConnAckException.class, e -> assertThat(
            e.getMqttMessage().getReasonCode())
            .isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD));
  }

  @Test
  void whenTheUserIsUnknown_thenConnAck0x86AsForAWrongPassword() {
    Mqtt5BlockingClient client = client("e2e-unknown");
    ClientScram scram = new ClientScram("mallory", "wonderland");

    assertThatThrownBy(() -> client.connectWith().enhancedAuth(scram).send())
        .isInstanceOfSatisfying(Mqtt5ConnAckException.class, e -> assertThat(
            e.getMqttMessage().getReasonCode())
            .isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD));
    assertThat(scram.serverFirst).as("the exchange ran to the proof").startsWith("r=");
  }

  @Test
  void whenAliceReauthenticates_thenTheServerAcceptsAndTheConnectionStays() {
    ClientScram scram = new ClientScram("alice", "wonderland");
    Mqtt5BlockingClient client = client("e2e-reauth");
    client.connectWith().enhancedAuth(scram).send();
    scram.serverVerified = false;

    client.reauth();

    assertThat(scram.serverVerified).as("re-authentication's server signature").isTrue();
    assertThat(client.getState().isConnected()).isTrue();
    client.publishWith().topic("sensors/after").qos(MqttQos.AT_LEAST_ONCE)
        .payload(new byte[] {1}).send();
  }

  /**
   * The client side of SCRAM-SHA-256 (RFC 5802 section 3), independent of the server's code:
   * PBKDF2 from the JDK, HMAC and SHA-256 from the JCA.
   */
  private static final class ClientScram implements Mqtt5EnhancedAuthMechanism {
    private final String user;
    private final String password;
    private String clientFirstBare;
    private String authMessage;
    private byte[] saltedPassword;
    volatile String serverFirst;
    volatile boolean serverVerified;

    ClientScram(String user, String password) {
      this.user = user;
      this.password = password;
    }

    @Override
    public MqttUtf8String getMethod() {
      return MqttUtf8String.of(ScramMechanism.METHOD);
    }

    @Override
    public int getTimeout() {
      return 10;
    }

    @Override
    public CompletableFuture<Void> onAuth(Mqtt5ClientConfig config, Mqtt5Connect connect,
        Mqtt5EnhancedAuthBuilder auth) {
      auth.data(clientFirst());
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> onReAuth(Mqtt5ClientConfig config, Mqtt5AuthBuilder auth) {
      auth.data(clientFirst());
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Boolean> onContinue(Mqtt5ClientConfig config, Mqtt5Auth auth,
        Mqtt5AuthBuilder answer) {
      try {
        serverFirst = text(auth);
        String[] parts = serverFirst.split(",");
        String nonce = parts[0].substring(2);
        byte[] salt = Base64.getDecoder().decode(parts[1].substring(2));
        int iterations = Integer.parseInt(parts[2].substring(2));
        saltedPassword = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(
            new PBEKeySpec(password.toCharArray(), salt, iterations, 256)).getEncoded();
        String withoutProof = "c=biws,r=" + nonce;
        authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
        byte[] clientKey = hmac(saltedPassword, "Client Key");
        byte[] signature = hmac(MessageDigest.getInstance("SHA-256").digest(clientKey),
            authMessage);
        byte[] proof = new byte[clientKey.length];
        for (int i = 0; i < proof.length; i++) {
          proof[i] = (byte) (clientKey[i] ^ signature[i]);
        }
        answer.data((withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof))
            .getBytes(StandardCharsets.UTF_8));
        return CompletableFuture.completedFuture(true);
      } catch (GeneralSecurityException e) {
        return CompletableFuture.failedFuture(e);
      }
    }

    @Override
    public CompletableFuture<Boolean> onAuthSuccess(Mqtt5ClientConfig config,
        Mqtt5ConnAck connAck) {
      return CompletableFuture.completedFuture(verify(connAck.getEnhancedAuth().orElse(null)));
    }

    @Override
    public CompletableFuture<Boolean> onReAuthSuccess(Mqtt5ClientConfig config, Mqtt5Auth auth) {
      return CompletableFuture.completedFuture(verify(auth));
    }

    @Override
    public void onAuthRejected(Mqtt5ClientConfig config, Mqtt5ConnAck connAck) {}

    @Override
    public void onReAuthRejected(Mqtt5ClientConfig config, Mqtt5Disconnect disconnect) {}

    @Override
    public void onAuthError(Mqtt5ClientConfig config, Throwable cause) {}

    @Override
    public void onReAuthError(Mqtt5ClientConfig config, Throwable cause) {}

    private byte[] clientFirst() {
      byte[] random = new byte[18];
      new SecureRandom().nextBytes(random);
      clientFirstBare = "n=" + user + ",r=" + Base64.getEncoder().encodeToString(random);
      return ("n,," + clientFirstBare).getBytes(StandardCharsets.UTF_8);
    }

    /** Checks server-final {@code v=ServerSignature}. */
    private boolean verify(Mqtt5EnhancedAuth auth) {
      if (auth == null || auth.getData().isEmpty()) {
        return false;
      }
      try {
        String expected = "v=" + Base64.getEncoder().encodeToString(
            hmac(hmac(saltedPassword, "Server Key"), authMessage));
        serverVerified = expected.equals(text(auth));
        return serverVerified;
      } catch (GeneralSecurityException e) {
        return false;
      }
    }

    private static String text(Mqtt5EnhancedAuth auth) {
      ByteBuffer data = auth.getData().orElseThrow();
      byte[] bytes = new byte[data.remaining()];
      data.get(bytes);
      return new String(bytes, StandardCharsets.UTF_8);
    }

    private static byte[] hmac(byte[] key, String data) throws GeneralSecurityException {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    }
  }
}
