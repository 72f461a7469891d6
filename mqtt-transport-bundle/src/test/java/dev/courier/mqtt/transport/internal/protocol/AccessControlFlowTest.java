package dev.courier.mqtt.transport.internal.protocol;

import dev.courier.mqtt.transport.internal.protocol.context.AccessControl;
import static dev.courier.mqtt.transport.internal.protocol.Packets.publish;
import static dev.courier.mqtt.transport.internal.protocol.Packets.subscribe;
import static dev.courier.mqtt.transport.internal.protocol.TestClient.text;
import static io.netty.handler.codec.mqtt.MqttMessageType.PINGRESP;
import static io.netty.handler.codec.mqtt.MqttMessageType.PUBACK;
import static io.netty.handler.codec.mqtt.MqttMessageType.PUBCOMP;
import static io.netty.handler.codec.mqtt.MqttMessageType.PUBREC;
import static io.netty.handler.codec.mqtt.MqttMessageType.PUBREL;
import static io.netty.handler.codec.mqtt.MqttMessageType.SUBACK;
import static io.netty.handler.codec.mqtt.MqttMessageType.UNSUBACK;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.courier.mqtt.transport.internal.bridge.memory.InMemoryBridge;
import dev.courier.mqtt.transport.internal.config.TransportConfig;
import dev.courier.mqtt.transport.spi.auth.AuthenticationResult;
import dev.courier.mqtt.transport.spi.auth.Authenticator;
import dev.courier.mqtt.transport.spi.auth.Authorizer;
import dev.courier.mqtt.transport.spi.auth.ClientIdentity;
import dev.courier.mqtt.transport.spi.auth.ConnectCredentials;
import dev.courier.mqtt.transport.spi.bridge.BridgeSession;
import dev.courier.mqtt.transport.spi.bridge.Delivery;
import dev.courier.mqtt.transport.spi.bridge.DeliverySink;
import dev.courier.mqtt.transport.spi.bridge.MessagingBridge;
import dev.courier.mqtt.transport.spi.bridge.Publication;
import dev.courier.mqtt.transport.spi.bridge.SessionRequest;
import dev.courier.mqtt.transport.spi.bridge.SubscriptionRequest;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Authentication of CONNECT and authorization of PUBLISH, SUBSCRIBE and the will, through {@link
 * AccessControl}: CONNACK return codes 0x03, 0x04 and 0x05 (MQTT 3.1.1 section 3.2.2.3), reading
 * paused while the authenticator decides, fail-closed on errors and timeouts, refused publications
 * still acknowledged, refused filters answered with 0x80 (section 3.9.3), and services taken at
 * CONNECT.
 */
class AccessControlFlowTest {

  private static final byte[] SECRET = "s3cret".getBytes(StandardCharsets.UTF_8);

  private final AccessControl access = AccessControl.open();
  private EngineFixture engine = new EngineFixture(TransportConfig.defaults(), access);

  @AfterEach
  void close() {
    engine.close();
  }

  // ---------------------------------------------------------------- fakes and helpers

  /** Records what it is asked and answers as the test says (accept everybody by default). */
  private static final class RecordingAuthenticator implements Authenticator {

    final List<ConnectCredentials> asked = new ArrayList<>();
    /** Password bytes as seen during the call; the engine may reuse its array afterwards. */
    final List<byte[]> passwords = new ArrayList<>();
    Function<ConnectCredentials, CompletionStage<AuthenticationResult>> answer =
        credentials -> CompletableFuture.completedFuture(AuthenticationResult.anonymous());

    @Override
    public CompletionStage<AuthenticationResult> authenticate(ConnectCredentials credentials) {
      asked.add(credentials);
      passwords.add(credentials.password() == null ? null : credentials.password().clone());
      return answer.apply(credentials);
    }
  }

  /** Records every question; decides per topic or filter as the test says (allow by default). */
  private static final class RecordingAuthorizer implements Authorizer {

    final List<ClientIdentity> identities = new ArrayList<>();
    final List<String> publishTopics = new ArrayList<>();
    final List<String> subscribeFilters = new ArrayList<>();
    BiFunction<ClientIdentity, String, CompletionStage<Boolean>> publish = (who, topic) -> yes();
    BiFunction<ClientIdentity, String, CompletionStage<Boolean>> subscribe =
        (who, filter) -> yes();
    /** Decisions the test completes later, by topic or filter. */
    final Map<String, CompletableFuture<Boolean>> later = new HashMap<>();

    @Override
    public CompletionStage<Boolean> mayPublish(ClientIdentity client, String topic) {
      identities.add(client);
      publishTopics.add(topic);
      return publish.apply(client, topic);
    }

    @Override
    public CompletionStage<Boolean> maySubscribe(ClientIdentity client, String filter) {
      identities.add(client);
      subscribeFilters.add(filter);
      return subscribe.apply(client, filter);
    }

    /** A decision completed later by {@code later.get(key).complete(..)}. */
    CompletableFuture<Boolean> decideLater(String key) {
      CompletableFuture<Boolean> decision = new CompletableFuture<>();
      later.put(key, decision);
      return decision;
    }
  }

  /** The in-memory bridge, recording in order what each session is asked to publish and its end. */
  private static final class RecordingBridge implements MessagingBridge {

    final InMemoryBridge delegate;
    final List<String> events = new ArrayList<>();

    RecordingBridge(InMemoryBridge delegate) {
      this.delegate = delegate;
    }

    @Override
    public String name() {
      return "recording";
    }

    @Override
    public CompletionStage<BridgeSession> openSession(SessionRequest request) {
      return delegate.openSession(request).thenApply(RecordingSession::new);
    }

    private final class RecordingSession extends ForwardingSession {

      RecordingSession(BridgeSession session) {
        super(session);
      }

      @Override
      public CompletionStage<Void> publish(Publication publication) {
        events.add("publish " + publication.topic());
        return inner.publish(publication);
      }

      @Override
      public void detach() {
        events.add("detach");
        inner.detach();
      }

      @Override
      public CompletionStage<Void> close() {
        events.add("close");
        return inner.close();
      }
    }
  }

  private static CompletableFuture<Boolean> yes() {
    return CompletableFuture.completedFuture(true);
  }

  private static CompletableFuture<Boolean> no() {
    return CompletableFuture.completedFuture(false);
  }

  private RecordingAuthenticator authenticator() {
    RecordingAuthenticator authenticator = new RecordingAuthenticator();
    access.authenticator(authenticator);
    return authenticator;
  }

  private RecordingAuthorizer authorizer() {
    RecordingAuthorizer authorizer = new RecordingAuthorizer();
    access.authorizer(authorizer);
    return authorizer;
  }

  private static MqttConnectMessage connectAs(String clientId, String username, byte[] password) {
    return MqttMessageBuilders.connect().protocolVersion(MqttVersion.MQTT_3_1_1)
        .clientId(clientId).cleanSession(true).keepAlive(60)
        .hasUser(true).username(username).hasPassword(true).password(password).build();
  }

  private static MqttConnectReturnCode code(MqttConnAckMessage connAck) {
    return connAck.variableHeader().connectReturnCode();
  }

  /** A connected client subscribed to {@code filter} at QoS 0. */
  private TestClient watcher(String clientId, String filter) {
    TestClient watcher = engine.connected(clientId, true);
    watcher.send(subscribe(1, filter, 0));
    assertThat(grantedCodes(watcher.next(SUBACK))).containsExactly(0);
    return watcher;
  }

  private static List<Integer> grantedCodes(MqttMessage subAck) {
    return ((MqttSubAckMessage) subAck).payload().grantedQoSLevels();
  }

  private static List<String> topics(List<MqttMessage> packets) {
    return packets.stream().map(p -> ((MqttPublishMessage) p).variableHeader().topicName())
        .toList();
  }

  /** Asserts the client was refused with {@code expected}, closed, and holds nothing. */
  private void assertRefused(TestClient client, MqttConnectReturnCode expected) {
    MqttConnAckMessage connAck = client.nextConnAck();
    assertThat(code(connAck)).isEqualTo(expected);
    assertThat(connAck.variableHeader().isSessionPresent()).isFalse();
    assertThat(client.port.closed).isTrue();
    assertThat(client.connection.state()).isEqualTo(MqttConnection.State.CLOSED);
    client.expectNothingMore();
    assertThat(engine.registry.connectedCount()).isZero();
    assertThat(engine.bridge.sessionCount()).isZero();
  }

  // ---------------------------------------------------------------- authentication

  @Test
  void whenNoAuthenticator_thenClientIsAcceptedAsAnonymous() {
    RecordingAuthorizer authorizer = authorizer();
    TestClient client = engine.client();
    client.send(connectAs("anon", "who", SECRET));
    assertThat(code(client.nextConnAck())).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);

    client.send(publish("t", "x", 0, 0));

    // Without an authenticator the user name is not trusted: the client is anonymous.
    assertThat(authorizer.identities).containsExactly(ClientIdentity.anonymous("anon"));
    assertThat(access.refusedConnects()).isZero();
  }

  @Test
  void whenAuthenticatorIsSet_thenItSeesClientIdUsernamePasswordAndRemoteAddress() {
    RecordingAuthenticator authenticator = authenticator();
    TestClient client = engine.client();

    client.send(connectAs("dev-1", "alice", SECRET));

    assertThat(code(client.nextConnAck())).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
    assertThat(authenticator.asked).hasSize(1);
    ConnectCredentials credentials = authenticator.asked.get(0);
    assertThat(credentials.clientId()).isEqualTo("dev-1");
    assertThat(credentials.username()).isEqualTo("alice");
    assertThat(authenticator.passwords.get(0)).isEqualTo(SECRET);
    assertThat(credentials.remoteAddress()).isEqualTo("test:0");
    assertThat(credentials.peerCertificates()).isEmpty();
    assertThat(credentials.toString()).doesNotContain("s3cret");
  }

  @Test
  void whenConnectHasNoCredentials_thenAuthenticatorSeesNullUsernameAndPassword_andAssignedId() {
    RecordingAuthenticator authenticator = authenticator();
    TestClient client = engine.client();

    client.connect("", true);

    ConnectCredentials credentials = authenticator.asked.get(0);
    assertThat(credentials.username()).isNull();
    assertThat(credentials.password()).isNull();
    assertThat(credentials.hasCredentials()).isFalse();
    // [MQTT-3.1.3-6] the server-assigned id is the one authenticated.
    assertThat(credentials.clientId()).isNotEmpty().isEqualTo(client.connection.clientId());
  }

  @Test
  void whenAccepted_thenConnAck0AndAuthorizerGetsIdentityWithUsernameAndRoles() {
    RecordingAuthenticator authenticator = authenticator();
    authenticator.answer = credentials -> CompletableFuture.completedFuture(
        AuthenticationResult.accepted("alice", Set.of("admin", "ops")));
    RecordingAuthorizer authorizer = authorizer();
    TestClient client = engine.client();

    client.send(connectAs("dev-1", "alice", SECRET));
    MqttConnAckMessage connAck = client.nextConnAck();
    client.send(subscribe(1, "a/#", 1));
    client.send(publish("a/b", "x", 1, 2));

    assertThat(code(connAck)).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
    assertThat(client.port.paused).isFalse();
    assertThat(authorizer.identities).hasSize(2)
        .containsOnly(new ClientIdentity("dev-1", "alice", Set.of("admin", "ops")));
    assertThat(authorizer.subscribeFilters).containsExactly("a/#");
    assertThat(authorizer.publishTopics).containsExactly("a/b");
  }

  @Test
  void whenBadCredentials_thenConnAck0x04AndClose_andClientIdIsNotClaimed() {
    RecordingAuthenticator authenticator = authenticator();
    authenticator.answer = credentials -> CompletableFuture.completedFuture(
        Arrays.equals(credentials.password(), SECRET)
            ? AuthenticationResult.accepted(credentials.username(), Set.of())
            : AuthenticationResult.badCredentials("wrong password"));
    TestClient intruder = engine.client();

    intruder.send(connectAs("device", "alice", "guess".getBytes(StandardCharsets.UTF_8)));

    assertRefused(intruder, MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD);
    assertThat(access.refusedConnects()).isEqualTo(1);

    TestClient owner = engine.client();
    owner.send(connectAs("device", "alice", SECRET));
    assertThat(code(owner.nextConnAck())).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
    assertThat(owner.port.closed).isFalse();
    assertThat(engine.registry.connectedCount()).isEqualTo(1);
  }

  @Test
  void whenRefusedWhileTheIdIsConnected_thenTheConnectedClientIsNotTakenOver() {
    TestClient owner = engine.connected("device", true);
    RecordingAuthenticator authenticator = authenticator();
    authenticator.answer = credentials ->
        CompletableFuture.completedFuture(AuthenticationResult.badCredentials("no"));

    TestClient intruder = engine.client();
    intruder.send(connectAs("device", "mallory", SECRET));

    assertThat(code(intruder.nextConnAck()))
        .isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD);
    // [MQTT-3.1.4-2] takeover only after a successful authentication.
    assertThat(owner.port.closed).isFalse();
    assertThat(owner.connection.state()).isEqualTo(MqttConnection.State.CONNECTED);
    assertThat(engine.registry.connectedCount()).isEqualTo(1);
  }

  @Test
  void whenNotAuthorized_thenConnAck0x05AndClose() {
    RecordingAuthenticator authenticator = authenticator();
    authenticator.answer = credentials ->
        CompletableFuture.completedFuture(AuthenticationResult.notAuthorized("banned"));
    TestClient client = engine.client();

    client.send(connectAs("banned", "bob", SECRET));

    assertRefused(client, MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED);
    assertThat(access.refusedConnects()).isEqualTo(1);
  }

  /** Ways an authenticator can fail to decide. */
  enum Failure {
    THROWS, RETURNS_NULL_STAGE, COMPLETES_EXCEPTIONALLY, COMPLETES_WITH_NULL,
    COMPLETES_EXCEPTIONALLY_LATER
  }

  @ParameterizedTest
  @EnumSource(Failure.class)
  void whenAuthenticatorFails_thenConnAck0x03AndClose(Failure failure) {
    RecordingAuthenticator authenticator = authenticator();
    CompletableFuture<AuthenticationResult> later = new CompletableFuture<>();
    authenticator.answer = credentials -> switch (failure) {
      case THROWS -> throw new IllegalStateException("directory down");
      case RETURNS_NULL_STAGE -> null;
      case COMPLETES_EXCEPTIONALLY ->
          CompletableFuture.failedFuture(new IllegalStateException("directory down"));
      case COMPLETES_WITH_NULL -> CompletableFuture.completedFuture(null);
      case COMPLETES_EXCEPTIONALLY_LATER -> later;
    };
    TestClient client = engine.client();
    client.send(connectAs("c", "alice", SECRET));

    later.completeExceptionally(new IllegalStateException("directory down"));
    engine.loop.runAll();

    assertRefused(client, MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE);
    assertThat(access.refusedConnects()).isEqualTo(1);
  }

  @Test
  void whenAuthenticatorNeverAnswers_thenConnAck0x03AfterAuthTimeout() {
    engine.close();
    engine = new EngineFixture(EngineFixture.withAuthTimeout(1), access);
    RecordingAuthenticator authenticator = authenticator();
    authenticator.answer = credentials -> new CompletableFuture<>();
    TestClient client = engine.client();

    client.send(connectAs("silent", "alice", SECRET));
    assertThat(client.port.paused).isTrue();
    client.expectNothingMore();

    // The timeout fires on a timer thread and hands the refusal to the loop; this thread is the
    // loop, so it runs what was handed over while it polls.
    await().atLeast(Duration.ofMillis(500)).atMost(Duration.ofSeconds(10))
        .pollInSameThread().pollInterval(Duration.ofMillis(20))
        .until(() -> {
          engine.loop.runAll();
          return client.port.closed;
        });
    assertRefused(client, MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE);
    assertThat(access.refusedConnects()).isEqualTo(1);
  }

  @Test
  void whenAuthenticatorAnswersLater_thenReadingStaysPausedAndPipelinedPacketsWait() {
    TestClient watcher = watcher("watcher", "t/#");
    RecordingAuthenticator authenticator = authenticator();
    CompletableFuture<AuthenticationResult> decision = new CompletableFuture<>();
    authenticator.answer = credentials -> decision;
    TestClient client = engine.client();

    client.send(connectAs("slow", "alice", SECRET));
    client.send(subscribe(1, "own/#", 1));
    client.send(publish("t/1", "early", 1, 2));
    client.send(Packets.pingreq());

    assertThat(client.port.paused).isTrue();
    assertThat(client.connection.state()).isEqualTo(MqttConnection.State.CONNECTING);
    client.expectNothingMore();
    watcher.expectNothingMore();
    assertThat(engine.registry.connectedCount()).isEqualTo(1); // the watcher only

    decision.complete(AuthenticationResult.accepted("alice", Set.of()));
    engine.loop.runAll();

    assertThat(code(client.nextConnAck())).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
    // The SUBACK waits for the bridge, so it may follow the answers to later packets.
    assertThat(client.rest()).extracting(p -> p.fixedHeader().messageType() + " "
            + (p.variableHeader() == null ? "" : TestClient.packetId(p)))
        .containsExactlyInAnyOrder("SUBACK 1", "PUBACK 2", "PINGRESP ");
    assertThat(client.port.paused).isFalse();
    assertThat(text(watcher.nextPublish())).isEqualTo("early");
  }

  @Test
  void whenClosedWhileAuthenticating_thenNoClaimNoConnAckAndNothingLeaks() {
    TestClient watcher = watcher("watcher", "t/#");
    RecordingAuthenticator authenticator = authenticator();
    CompletableFuture<AuthenticationResult> decision = new CompletableFuture<>();
    authenticator.answer = credentials -> decision;
    TestClient client = engine.client();
    client.send(Packets.connectWithWill("gone", "t/will", "bye", MqttQoS.AT_LEAST_ONCE, false));
    MqttPublishMessage early = publish("t/1", "early", 1, 1);
    early.retain(); // the test's own reference, to watch the engine's
    client.send(early);
    assertThat(early.refCnt()).as("held by the engine until CONNACK").isEqualTo(2);

    client.drop();
    assertThat(early.refCnt()).as("released on close").isEqualTo(1);
    early.release();
    decision.complete(AuthenticationResult.accepted("alice", Set.of()));
    engine.loop.runAll();

    client.expectNothingMore();
    assertThat(client.connection.state()).isEqualTo(MqttConnection.State.CLOSED);
    assertThat(engine.registry.connectedCount()).isEqualTo(1); // the watcher only
    assertThat(engine.bridge.sessionCount()).isEqualTo(1);
    watcher.expectNothingMore(); // neither the early publication nor the will

    TestClient again = engine.client();
    again.send(connectAs("gone", "alice", SECRET));
    assertThat(code(again.nextConnAck())).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
  }

  @Test
  void whenRefusedAfterPipelinedPackets_thenTheyAreReleasedAndNotProcessed() {
    TestClient watcher = watcher("watcher", "t/#");
    RecordingAuthenticator authenticator = authenticator();
    CompletableFuture<AuthenticationResult> decision = new CompletableFuture<>();
    authenticator.answer = credentials -> decision;
    TestClient client = engine.client();
    client.send(connectAs("c", "alice", SECRET));
    MqttPublishMessage early = publish("t/1", "early", 0, 0);
    early.retain();
    client.send(early);

    decision.complete(AuthenticationResult.badCredentials("no"));
    engine.loop.runAll();

    assertThat(code(client.nextConnAck()))
        .isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD);
    client.expectNothingMore();
    assertThat(client.port.closed).isTrue();
    assertThat(early.refCnt()).as("only the test's reference is left").isEqualTo(1);
    early.release();
    watcher.expectNothingMore();
  }

  // ---------------------------------------------------------------- PUBLISH

  @Test
  void whenAuthorizerDeniesPublish_thenNotRoutedButQos1AndQos2StillAcknowledged() {
    RecordingAuthorizer authorizer = authorizer();
    authorizer.publish = (who, topic) -> topic.startsWith("secret/") ? no() : yes();
    TestClient watcher = watcher("watcher", "#");
    TestClient client = engine.connected("pub", true);

    client.send(publish("secret/0", "x", 0, 0));
    client.send(publish("secret/1", "x", 1, 11));
    client.send(publish("secret/2", "x", 2, 12));

    // 3.1.1 cannot tell a publisher about a refusal: the flows complete as usual.
    client.expectAck(PUBACK, 11);
    client.expectAck(PUBREC, 12);
    client.send(Packets.ack(PUBREL, 12));
    client.expectAck(PUBCOMP, 12);
    client.expectNothingMore();
    assertThat(client.port.closed).isFalse();
    watcher.expectNothingMore();
    assertThat(access.deniedPublications()).isEqualTo(3);
    assertThat(authorizer.publishTopics).containsExactly("secret/0", "secret/1", "secret/2");
  }

  @Test
  void whenAuthorizerAllowsPublish_thenDelivered() {
    RecordingAuthorizer authorizer = authorizer();
    authorizer.publish = (who, topic) -> topic.startsWith("secret/") ? no() : yes();
    TestClient watcher = watcher("watcher", "#");
    TestClient client = engine.connected("pub", true);

    client.send(publish("open/1", "hello", 1, 1));

    client.expectAck(PUBACK, 1);
    MqttPublishMessage delivered = watcher.nextPublish();
    assertThat(delivered.variableHeader().topicName()).isEqualTo("open/1");
    assertThat(text(delivered)).isEqualTo("hello");
    assertThat(access.deniedPublications()).isZero();
  }

  @Test
  void whenPublishingRepeatedlyToATopic_thenTheAuthorizerIsAskedOncePerConnection() {
    RecordingAuthorizer authorizer = authorizer();
    authorizer.publish = (who, topic) -> topic.startsWith("secret/") ? no() : yes();
    TestClient watcher = watcher("watcher", "#");
    TestClient client = engine.connected("pub", true);

    for (int i = 1; i <= 3; i++) {
      client.send(publish("open/1", "m" + i, 1, i));
      client.send(publish("secret/1", "s" + i, 1, 100 + i));
    }

    for (int i = 1; i <= 3; i++) {
      client.expectAck(PUBACK, i);
      client.expectAck(PUBACK, 100 + i);
      assertThat(text(watcher.nextPublish())).isEqualTo("m" + i);
    }
    watcher.expectNothingMore();
    assertThat(authorizer.publishTopics).containsExactly("open/1", "secret/1");
    assertThat(access.deniedPublications()).isEqualTo(3);

    // A new connection asks again: a rule change applies to connections made after it.
    authorizer.publish = (who, topic) -> no();
    TestClient later = engine.connected("pub-later", true);
    later.send(publish("open/1", "after", 1, 7));
    later.expectAck(PUBACK, 7);
    watcher.expectNothingMore();
    assertThat(authorizer.publishTopics).containsExactly("open/1", "secret/1", "open/1");
  }

  @Test
  void whenAuthorizerFailsOnPublish_thenTheMessageIsDroppedAsRefused() {
    RecordingAuthorizer authorizer = authorizer();
    authorizer.publish = (who, topic) -> switch (topic) {
      case "throws" -> throw new IllegalStateException("policy store down");
      case "null" -> null;
      case "failed" -> CompletableFuture.failedFuture(new IllegalStateException("down"));
      default -> yes();
    };
    TestClient watcher = watcher("watcher", "#");
    TestClient client = engine.connected("pub", true);

    client.send(publish("throws", "x", 1, 1));
    client.send(publish("null", "x", 1, 2));
    client.send(publish("failed", "x", 1, 3));
    client.send(publish("fine", "x", 1, 4));

    client.expectAck(PUBACK, 1);
    client.expectAck(PUBACK, 2);
    client.expectAck(PUBACK, 3);
    client.expectAck(PUBACK, 4);
    assertThat(topics(watcher.rest())).containsExactly("fine");
    assertThat(access.deniedPublications()).isEqualTo(3);
  }

  @Test
  void whenAuthorizerAnswersLater_thenPubacksKeepArrivalOrder() {
    RecordingAuthorizer authorizer = authorizer();
    authorizer.publish =
        (who, topic) -> topic.startsWith("slow/") ? authorizer.decideLater(topic) : yes();
    TestClient watcher = watcher("watcher", "#");
    TestClient client = engine.connected("pub", true);

    client.send(publish("slow/a", "1", 1, 1));
    client.send(publish("fast/b", "2", 1, 2));
    client.send(publish("slow/c", "3", 2, 3));
    client.send(publish("fast/d", "4", 1, 4));
    client.expectNothingMore(); // 2 and 4 are decided, but queue behind 1 [MQTT-4.6.0-2]

    authorizer.later.get("slow/c").complete(true);
    engine.loop.runAll();
    client.expectNothingMore();

    authorizer.later.get("slow/a").complete(false);
    engine.loop.runAll();
    client.expectAck(PUBACK, 1);
    client.expectAck(PUBACK, 2);
    client.expectAck(PUBREC, 3);
    client.expectAck(PUBACK, 4);
    client.expectNothingMore();
    assertThat(topics(watcher.rest())).containsExactlyInAnyOrder("fast/b", "slow/c", "fast/d");
    assertThat(access.deniedPublications()).isEqualTo(1);
  }

  @Test
  void whenAnEarlierPublishIsDecidedLater_thenTheSameTopicKeepsItsOrder() {
    RecordingAuthorizer authorizer = authorizer();
    // The first decision needs a lookup, the second is answered from a cache.
    authorizer.publish = (who, topic) -> authorizer.later.containsKey(topic)
        ? yes() : authorizer.decideLater(topic);
    TestClient watcher = watcher("watcher", "#");
    TestClient client = engine.connected("pub", true);

    client.send(publish("t", "first", 1, 1));
    client.send(publish("t", "second", 1, 2));
    authorizer.later.get("t").complete(true);
    engine.loop.runAll();

    client.expectAck(PUBACK, 1);
    client.expectAck(PUBACK, 2);
    // [MQTT-4.6.0-6] messages of one client to one topic reach subscribers in the order sent.
    assertThat(watcher.rest()).extracting(p -> text((MqttPublishMessage) p))
        .containsExactly("first", "second");
  }

  @Test
  void whenAuthorizerNeverAnswersForAPublish_thenDroppedAfterAuthTimeoutAndStillAcknowledged() {
    engine.close();
    engine = new EngineFixture(EngineFixture.withAuthTimeout(1), access);
    RecordingAuthorizer authorizer = authorizer();
    authorizer.publish = (who, topic) -> new CompletableFuture<>();
    TestClient watcher = watcher("watcher", "#");
    TestClient client = engine.connected("pub", true);

    client.send(publish("t", "x", 1, 7));
    client.expectNothingMore();

    await().atMost(Duration.ofSeconds(10)).pollInSameThread()
        .pollInterval(Duration.ofMillis(20))
        .until(() -> {
          engine.loop.runAll();
          return client.port.flushedCount > 1; // the CONNACK, then the PUBACK
        });
    client.expectAck(PUBACK, 7);
    assertThat(client.port.closed).isFalse();
    watcher.expectNothingMore();
    assertThat(access.deniedPublications()).isEqualTo(1);
  }

  // ---------------------------------------------------------------- SUBSCRIBE

  @Test
  void whenSubscribeMixesAllowedAndDeniedFilters_thenSubAckHas0x80ForTheDenied() {
    RecordingAuthorizer authorizer = authorizer();
    authorizer.subscribe = (who, filter) -> filter.startsWith("secret") ? no() : yes();
    TestClient client = engine.connected("sub", true);
    TestClient publisher = engine.connected("pub", true);

    client.send(subscribe(5, List.of("open/#", "secret/#", "other"), 1, 2, 0));

    MqttMessage subAck = client.next(SUBACK);
    assertThat(TestClient.packetId(subAck)).isEqualTo(5);
    // [MQTT-3.9.3-1] one code per filter, in order; 0x80 for a refused filter.
    assertThat(grantedCodes(subAck)).containsExactly(1, 0x80, 0);
    assertThat(access.deniedSubscriptions()).isEqualTo(1);
    assertThat(authorizer.subscribeFilters).containsExactly("open/#", "secret/#", "other");

    publisher.send(publish("secret/x", "hidden", 0, 0));
    publisher.send(publish("open/x", "shown", 0, 0));
    publisher.send(publish("other", "shown too", 0, 0));

    assertThat(topics(client.rest())).containsExactly("open/x", "other");
  }

  @Test
  void whenSubscribeAuthorizerAnswersLater_thenSubAckWaitsForEveryDecision() {
    RecordingAuthorizer authorizer = authorizer();
    authorizer.subscribe = (who, filter) -> authorizer.decideLater(filter);
    TestClient client = engine.connected("sub", true);
    TestClient publisher = engine.connected("pub", true);

    client.send(subscribe(9, List.of("a", "b", "c"), 1, 1, 1));
    authorizer.later.get("c").complete(true);
    authorizer.later.get("a").complete(false);
    engine.loop.runAll();
    client.expectNothingMore();

    authorizer.later.get("b").complete(true);
    engine.loop.runAll();

    MqttMessage subAck = client.next(SUBACK);
    assertThat(TestClient.packetId(subAck)).isEqualTo(9);
    assertThat(grantedCodes(subAck)).containsExactly(0x80, 1, 1);
    assertThat(access.deniedSubscriptions()).isEqualTo(1);

    publisher.send(publish("a", "x", 0, 0));
    publisher.send(publish("b", "x", 0, 0));
    assertThat(topics(client.rest())).containsExactly("b");
  }

  @Test
  void whenSubscribeIsDecidedLater_thenAFollowingUnsubscribeStillWins() {
    RecordingAuthorizer authorizer = authorizer();
    authorizer.subscribe = (who, filter) -> authorizer.decideLater(filter);
    TestClient client = engine.connected("sub", true);
    TestClient publisher = engine.connected("pub", true);

    client.send(subscribe(1, "a", 1));
    client.send(Packets.unsubscribe(2, "a"));
    authorizer.later.get("a").complete(true);
    engine.loop.runAll();

    // Subscription changes take effect in the order the client sent them.
    client.expectAck(SUBACK, 1);
    client.expectAck(UNSUBACK, 2);
    publisher.send(publish("a", "x", 0, 0));
    client.expectNothingMore();
  }

  @Test
  void whenClosedWhileSubscribeIsAuthorized_thenNoSubAckAndNoSubscription() {
    RecordingAuthorizer authorizer = authorizer();
    authorizer.subscribe = (who, filter) -> authorizer.decideLater(filter);
    TestClient client = engine.connected("sub", false);

    client.send(subscribe(1, "a", 1));
    client.drop();
    authorizer.later.get("a").complete(true);
    engine.loop.runAll();

    client.expectNothingMore();
    TestClient publisher = engine.connected("pub", true);
    publisher.send(publish("a", "x", 1, 1));
    TestClient back = engine.client();
    back.connect("sub", false);
    back.expectNothingMore(); // not subscribed, so nothing was queued
  }

  // ---------------------------------------------------------------- will

  @Test
  void whenWillTopicIsDenied_thenWillIsNotPublishedOnConnectionLoss() {
    RecordingAuthorizer authorizer = authorizer();
    authorizer.publish = (who, topic) -> topic.startsWith("will/forbidden") ? no() : yes();
    TestClient watcher = watcher("watcher", "will/#");
    TestClient denied = engine.client();
    denied.send(Packets.connectWithWill("d", "will/forbidden", "bye", MqttQoS.AT_LEAST_ONCE,
        false));
    denied.nextConnAck();
    TestClient allowed = engine.client();
    allowed.send(Packets.connectWithWill("a", "will/ok", "bye", MqttQoS.AT_LEAST_ONCE, false));
    allowed.nextConnAck();

    denied.drop();
    allowed.drop();

    assertThat(topics(watcher.rest())).containsExactly("will/ok");
    assertThat(authorizer.publishTopics).containsExactly("will/forbidden", "will/ok");
    assertThat(access.deniedPublications()).isEqualTo(1);
  }

  @Test
  void whenWillIsAuthorizedLater_thenPublishedOnceAllowed() {
    RecordingAuthorizer authorizer = authorizer();
    authorizer.publish = (who, topic) -> authorizer.decideLater(topic);
    TestClient watcher = watcher("watcher", "will/#");
    TestClient client = engine.client();
    client.send(Packets.connectWithWill("w", "will/w", "bye", MqttQoS.AT_LEAST_ONCE, false));
    client.nextConnAck();

    client.drop();
    watcher.expectNothingMore();
    authorizer.later.get("will/w").complete(true);
    engine.loop.runAll();

    assertThat(text(watcher.nextPublish())).isEqualTo("bye");
  }

  @Test
  void whenConnectionIsLostWhilePublicationsAreDecided_thenTheyAndTheWillGoBeforeTheSessionEnds() {
    RecordingAuthorizer authorizer = authorizer();
    authorizer.publish =
        (who, topic) -> topic.startsWith("slow/") ? authorizer.decideLater(topic) : yes();
    TestClient watcher = watcher("watcher", "#");
    RecordingBridge bridge = new RecordingBridge(engine.bridge);
    TestClient client = engine.client(bridge);
    client.send(Packets.connectWithWill("w", "will/w", "bye", MqttQoS.AT_LEAST_ONCE, false));
    client.nextConnAck();
    client.send(publish("slow/1", "last words", 1, 1));

    client.drop();
    assertThat(bridge.events).as("nothing handed over or ended while a decision is pending")
        .isEmpty();
    authorizer.later.get("slow/1").complete(true);
    engine.loop.runAll();

    // The session stays open until every decided publication, and the will last, reached it.
    assertThat(bridge.events).containsExactly("publish slow/1", "publish will/w", "close");
    assertThat(topics(watcher.rest())).containsExactly("slow/1", "will/w");
    assertThat(engine.registry.connectedCount()).isEqualTo(1); // the watcher only
    TestClient again = engine.client();
    again.connect("w", true);
  }

  // ---------------------------------------------------------------- services change

  @Test
  void whenAuthorizerIsReplaced_thenExistingConnectionKeepsItsOwn_andNextConnectUsesTheNew() {
    RecordingAuthorizer permissive = authorizer();
    TestClient watcher = watcher("watcher", "#");
    TestClient early = engine.connected("early", true);

    RecordingAuthorizer strict = authorizer();
    strict.publish = (who, topic) -> no();
    early.send(publish("t", "from early", 1, 1));
    TestClient late = engine.connected("late", true);
    late.send(publish("t", "from late", 1, 1));

    early.expectAck(PUBACK, 1);
    late.expectAck(PUBACK, 1);
    assertThat(watcher.rest()).extracting(p -> text((MqttPublishMessage) p))
        .containsExactly("from early");
    assertThat(permissive.publishTopics).containsExactly("t");
    assertThat(strict.publishTopics).containsExactly("t");
    assertThat(access.deniedPublications()).isEqualTo(1);
  }

  @Test
  void whenAuthenticatorIsSetOrRemoved_thenOnlyTheNextConnectIsAffected() {
    TestClient before = engine.connected("before", true);
    RecordingAuthenticator strict = authenticator();
    strict.answer = credentials ->
        CompletableFuture.completedFuture(AuthenticationResult.badCredentials("nobody"));

    before.send(Packets.pingreq());
    before.next(PINGRESP);
    assertThat(before.port.closed).isFalse();
    TestClient refused = engine.client();
    refused.send(connectAs("refused", "x", SECRET));
    assertThat(code(refused.nextConnAck()))
        .isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD);

    access.authenticator(null);
    TestClient after = engine.client();
    after.connect("after", true);
    assertThat(strict.asked).extracting(ConnectCredentials::clientId).containsExactly("refused");
  }
}
