package dev.courier.mqtt.auth.internal.scram;

import dev.courier.mqtt.transport.spi.auth.AuthExchange;
import dev.courier.mqtt.transport.spi.auth.AuthStep;
import dev.courier.mqtt.transport.spi.auth.AuthStep.Failure;
import dev.courier.mqtt.transport.spi.auth.ConnectCredentials;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SCRAM-SHA-256 exchange (RFC 5802 section 5, without channel binding): client-first {@code
 * n,,n=user,r=nonce} is answered with server-first {@code r=nonce,s=salt,i=iterations};
 * client-final {@code c=biws,r=nonce,p=proof} is checked and answered with success and
 * server-final {@code v=signature}, or a refusal. An unknown user gets a salt derived from its
 * name and fails at the proof, like a wrong password. Steps run on the login executor.
 */
final class ScramExchange implements AuthExchange {

  private static final Logger LOG = LoggerFactory.getLogger(ScramExchange.class);
  /** Base64 of the only GS2 header taken, {@code n,,}: no channel binding, no authzid. */
  private static final String CHANNEL_BINDING = "c=biws";

  private final ScramMechanism mechanism;
  private final ConnectCredentials client;
  // Written by one step's login thread and read by the next: the transport's hand-over between
  // the steps (stage completion, event loop, executor) orders them.
  private int steps;
  private String user;
  private ScramUser known;
  private ScramSecret secret;
  private String clientFirstBare;
  private String serverFirst;
  private String nonce;

  ScramExchange(ScramMechanism mechanism, ConnectCredentials client) {
    this.mechanism = mechanism;
    this.client = client;
  }

  @Override
  public CompletionStage<AuthStep> respond(byte[] data) {
    int step = steps++;
    return mechanism.offload(client, result -> {
      String message = text(data);
      if (message == null) {
        return malformed("not UTF-8");
      }
      return switch (step) {
        case 0 -> first(message);
        case 1 -> last(message, result);
        default -> malformed("exchange already complete");
      };
    });
  }

  private AuthStep first(String message) {
    if (message.startsWith("y,") || message.startsWith("p=")) {
      // RFC 5802 section 6: channel binding is not offered, and "y" must not be accepted either.
      return AuthStep.failure(Failure.BAD_AUTHENTICATION_METHOD, "channel binding not supported");
    }
    if (!message.startsWith("n,,")) {
      return malformed("GS2 header is not 'n,,'");
    }
    clientFirstBare = message.substring(3);
    String[] attributes = clientFirstBare.split(",", -1);
    if (attributes.length < 2 || !attributes[0].startsWith("n=")
        || !attributes[1].startsWith("r=")) {
      return malformed("client-first is not 'n=user,r=nonce'"); // also a mandatory "m=" extension
    }
    user = saslName(attributes[0].substring(2));
    String clientNonce = attributes[1].substring(2);
    if (user == null || user.isEmpty() || !printable(clientNonce) || !extensions(attributes)) {
      return malformed("bad user name, nonce or extension");
    }
    known = mechanism.store.lookup(user);
    secret = known != null ? known.secret() : mechanism.mockSecret(user);
    nonce = clientNonce + mechanism.serverNonce();
    serverFirst = "r=" + nonce + ",s=" + Base64.getEncoder().encodeToString(secret.salt())
        + ",i=" + secret.iterations();
    return AuthStep.challenge(serverFirst.getBytes(StandardCharsets.UTF_8));
  }

  private AuthStep last(String message, CompletableFuture<AuthStep> result) {
    int proofAt = message.lastIndexOf(",p=");
    if (proofAt < 0 || !message.startsWith(CHANNEL_BINDING + ",")) {
      return malformed("client-final is not 'c=biws,r=nonce,...,p=proof'");
    }
    String withoutProof = message.substring(0, proofAt);
    String[] attributes = withoutProof.split(",", -1);
    if (attributes.length < 2 || !attributes[1].equals("r=" + nonce)) {
      return malformed("nonce differs from the server's");
    }
    byte[] proof;
    try {
      proof = Base64.getDecoder().decode(message.substring(proofAt + 3));
    } catch (IllegalArgumentException e) {
      return malformed("proof is not Base64");
    }
    byte[] authMessage = (clientFirstBare + "," + serverFirst + "," + withoutProof)
        .getBytes(StandardCharsets.UTF_8);
    byte[] clientSignature = ScramCrypto.hmac(secret.storedKey(), authMessage);
    boolean matches = proof.length == ScramCrypto.LENGTH && MessageDigest.isEqual(
        ScramCrypto.hash(ScramCrypto.xor(proof, clientSignature)), secret.storedKey());
    if (!matches || known == null) {
      mechanism.refuseLater(client, user, result);
      return null;
    }
    mechanism.succeeded(client);
    String role = mechanism.settings.requiredRole();
    if (!role.isEmpty() && !known.roles().contains(role)) {
      LOG.info("MQTT client '{}' SCRAM user '{}' from {} refused: not in required role '{}'",
          client.clientId(), user, client.remoteAddress(), role);
      return AuthStep.failure(Failure.NOT_AUTHORIZED, "lacks role " + role);
    }
    byte[] signature = ScramCrypto.hmac(secret.serverKey(), authMessage);
    return AuthStep.success(user, known.roles(),
        ("v=" + Base64.getEncoder().encodeToString(signature)).getBytes(StandardCharsets.UTF_8));
  }

  private AuthStep malformed(String why) {
    LOG.debug("MQTT client '{}' from {}: malformed SCRAM message ({})", client.clientId(),
        client.remoteAddress(), why);
    return AuthStep.failure(Failure.BAD_AUTHENTICATION_METHOD, "malformed SCRAM message: " + why);
  }

  /** Strict UTF-8, or null. */
  private static String text(byte[] data) {
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(data))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  /** RFC 5802 saslname: "=2C" is ",", "=3D" is "="; any other "=" makes it invalid (null). */
  private static String saslName(String value) {
    StringBuilder name = new StringBuilder();
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c != '=') {
        name.append(c);
      } else if (value.startsWith("=2C", i)) {
        name.append(',');
        i += 2;
      } else if (value.startsWith("=3D", i)) {
        name.append('=');
        i += 2;
      } else {
        return null;
      }
    }
    return name.toString();
  }

  /** Whether the attributes after n= and r= are extensions, {@code attr=value}. */
  private static boolean extensions(String[] attributes) {
    for (int i = 2; i < attributes.length; i++) {
      if (!attributes[i].matches("[A-Za-z]=.*")) {
        return false;
      }
    }
    return true;
  }

  /** RFC 5802 "printable": %x21-2B / %x2D-7E, at least one. */
  private static boolean printable(String value) {
    return !value.isEmpty() && value.chars().allMatch(c -> c >= 0x21 && c <= 0x7E && c != ',');
  }
}
