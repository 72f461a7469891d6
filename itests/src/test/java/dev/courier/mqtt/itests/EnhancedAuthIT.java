package dev.courier.mqtt.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.replaceConfigurationFile;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * MQTT 5.0 enhanced authentication with SCRAM-SHA-256 in Karaf: with {@code scramCredentialsFile}
 * in {@code etc/dev.courier.mqtt.auth.cfg} the auth bundle registers its mechanism as the
 * transport's {@code EnhancedAuthenticator}, and a client doing the RFC 7677 exchange over AUTH
 * (raw MQTT 5.0 bytes, the client side of SCRAM on the JDK) connects and gets the server's
 * signature in CONNACK; a wrong password is 0x86 and an unknown method 0x8C.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class EnhancedAuthIT extends CourierSecurityTestSupport {

  private static final String METHOD = "SCRAM-SHA-256";
  private static final String ENHANCED_AUTHENTICATOR =
      "dev.courier.mqtt.transport.spi.auth.EnhancedAuthenticator";
  /** RFC 7677's user "user" with password "pencil", and role sensors. */
  private static final String USERS = "user = SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$"
      + "WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU="
      + ", sensors\n";

  @Override
  protected Map<String, String> authConfigurationAtBoot() {
    return Map.of("authentication", "REQUIRED", "authorization", "REQUIRED",
        "rules", "allow role:sensors both sensors/#",
        "scramCredentialsFile", "${karaf.etc}/courier-scram.properties");
  }

  @Override
  protected Option[] securityOptions(int mqttPort) {
    return new Option[] {replaceConfigurationFile("etc/courier-scram.properties",
        writeDriverFile("courier-scram.properties", USERS))};
  }

  @Before
  public void scramIsOffered() throws Exception {
    assertFeatureInstalled(AUTH_FEATURE);
    awaitTransportOnTestPort();
    await("EnhancedAuthenticator service").atMost(TIMEOUT)
        .until(() -> bundleContext.getServiceReference(ENHANCED_AUTHENTICATOR) != null);
  }

  @Test
  public void whenAClientDoesScram_thenConnAckNamesTheMethodAndCarriesTheServerSignature()
      throws Exception {
    try (Socket socket = new Socket("127.0.0.1", mqttPort())) {
      socket.setSoTimeout((int) TIMEOUT.toMillis());
      Scram scram = new Scram("user", "pencil");
      send(socket, connect(clientId("scram"), scram.clientFirst()));

      Packet challenge = read(socket);
      assertThat(challenge.type()).as("AUTH").isEqualTo(0xF0);
      assertThat(challenge.reason()).as("Continue authentication").isEqualTo(0x18);
      assertThat(challenge.strings().get(0x15)).isEqualTo(METHOD);
      send(socket, auth(scram.clientFinal(text(challenge.binary().get(0x16)))));

      Packet connAck = read(socket);
      assertThat(connAck.type()).as("CONNACK").isEqualTo(0x20);
      assertThat(connAck.reason()).isZero();
      assertThat(connAck.strings().get(0x15)).isEqualTo(METHOD);
      assertThat(text(connAck.binary().get(0x16))).isEqualTo(scram.serverFinal());
    }
  }

  @Test
  public void whenThePasswordIsWrong_thenConnAck0x86() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", mqttPort())) {
      socket.setSoTimeout((int) TIMEOUT.toMillis());
      Scram scram = new Scram("user", "crayon");
      send(socket, connect(clientId("scram-bad"), scram.clientFirst()));
      Packet challenge = read(socket);
      send(socket, auth(scram.clientFinal(text(challenge.binary().get(0x16)))));

      Packet connAck = read(socket);
      assertThat(connAck.type()).isEqualTo(0x20);
      assertThat(connAck.reason()).as("Bad user name or password").isEqualTo(0x86);
    }
  }

  @Test
  public void whenTheMethodIsNotOffered_thenConnAck0x8C() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", mqttPort())) {
      socket.setSoTimeout((int) TIMEOUT.toMillis());
      send(socket, connect(clientId("krb"), "x".getBytes(StandardCharsets.UTF_8), "GSSAPI"));

      Packet connAck = read(socket);
      assertThat(connAck.type()).isEqualTo(0x20);
      assertThat(connAck.reason()).as("Bad authentication method").isEqualTo(0x8C);
    }
  }

  // ---------------------------------------------------------------- MQTT 5.0 bytes

  /** A received packet: first byte, reason code, and its string and binary properties. */
  private record Packet(int type, int reason, Map<Integer, String> strings,
      Map<Integer, byte[]> binary) {}

  private static byte[] connect(String clientId, byte[] data) {
    return connect(clientId, data, METHOD);
  }

  private static byte[] connect(String clientId, byte[] data, String method) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(utf8("MQTT"));
    body.writeBytes(new byte[] {5, 0x02, 0, 60}); // 5.0, clean start, keep alive 60
    body.writeBytes(properties(method, data));
    body.writeBytes(utf8(clientId));
    return packet(0x10, body.toByteArray());
  }

  private static byte[] auth(byte[] data) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.write(0x18);
    body.writeBytes(properties(METHOD, data));
    return packet(0xF0, body.toByteArray());
  }

  /** Authentication Method (0x15) and Authentication Data (0x16), with their length. */
  private static byte[] properties(String method, byte[] data) {
    ByteArrayOutputStream properties = new ByteArrayOutputStream();
    properties.write(0x15);
    properties.writeBytes(utf8(method));
    properties.write(0x16);
    properties.write(data.length >> 8);
    properties.write(data.length);
    properties.writeBytes(data);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    writeVarInt(out, properties.size());
    out.writeBytes(properties.toByteArray());
    return out.toByteArray();
  }

  private static byte[] packet(int first, byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(first);
    writeVarInt(out, body.length);
    out.writeBytes(body);
    return out.toByteArray();
  }

  private static void writeVarInt(ByteArrayOutputStream out, int value) {
    do {
      int digit = value % 128;
      value /= 128;
      out.write(value > 0 ? digit | 0x80 : digit);
    } while (value > 0);
  }

  private static byte[] utf8(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[bytes.length + 2];
    out[0] = (byte) (bytes.length >> 8);
    out[1] = (byte) bytes.length;
    System.arraycopy(bytes, 0, out, 2, bytes.length);
    return out;
  }

  private static void send(Socket socket, byte[] packet) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(packet);
    out.flush();
  }

  /** Reads an AUTH or a CONNACK and its properties. */
  private static Packet read(Socket socket) throws IOException {
    DataInputStream in = new DataInputStream(socket.getInputStream());
    int type = in.readUnsignedByte();
    byte[] body = new byte[readVarInt(in)];
    in.readFully(body);
    DataInputStream fields = new DataInputStream(new java.io.ByteArrayInputStream(body));
    if (type == 0x20) {
      fields.readUnsignedByte(); // acknowledge flags
    }
    int reason = body.length == 0 ? 0 : fields.readUnsignedByte();
    Map<Integer, String> strings = new HashMap<>();
    Map<Integer, byte[]> binary = new HashMap<>();
    if (fields.available() > 0) {
      byte[] properties = new byte[readVarInt(fields)];
      fields.readFully(properties);
      readProperties(new DataInputStream(new java.io.ByteArrayInputStream(properties)), strings,
          binary);
    }
    return new Packet(type, reason, strings, binary);
  }

  private static void readProperties(DataInputStream in, Map<Integer, String> strings,
      Map<Integer, byte[]> binary) throws IOException {
    while (in.available() > 0) {
      int id = in.readUnsignedByte();
      switch (id) {
        case 0x01, 0x17, 0x19, 0x24, 0x25, 0x28, 0x29, 0x2A -> in.readUnsignedByte();
        case 0x13, 0x21, 0x22, 0x23 -> in.readUnsignedShort();
        case 0x02, 0x11, 0x18, 0x27 -> in.readInt();
        case 0x0B -> readVarInt(in);
        case 0x09, 0x16 -> binary.put(id, in.readNBytes(in.readUnsignedShort()));
        case 0x26 -> {
          in.readNBytes(in.readUnsignedShort());
          in.readNBytes(in.readUnsignedShort());
        }
        default -> strings.put(id,
            new String(in.readNBytes(in.readUnsignedShort()), StandardCharsets.UTF_8));
      }
    }
  }

  private static int readVarInt(DataInputStream in) throws IOException {
    int value = 0;
    int multiplier = 1;
    int digit;
    do {
      digit = in.readUnsignedByte();
      value += (digit & 0x7F) * multiplier;
      multiplier *= 128;
    } while ((digit & 0x80) != 0);
    return value;
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  // ---------------------------------------------------------------- the client side of SCRAM

  /** RFC 5802 section 3 from the client's side, on the JDK's PBKDF2, HMAC and SHA-256. */
  private static final class Scram {
    private final String user;
    private final String password;
    private final String clientFirstBare;
    private String authMessage;
    private byte[] saltedPassword;

    Scram(String user, String password) {
      this.user = user;
      this.password = password;
      this.clientFirstBare = "n=" + user + ",r=" + java.util.UUID.randomUUID();
    }

    byte[] clientFirst() {
      return ("n,," + clientFirstBare).getBytes(StandardCharsets.UTF_8);
    }

    byte[] clientFinal(String serverFirst) throws GeneralSecurityException {
      String[] parts = serverFirst.split(",");
      byte[] salt = Base64.getDecoder().decode(parts[1].substring(2));
      int iterations = Integer.parseInt(parts[2].substring(2));
      saltedPassword = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(
          new PBEKeySpec(password.toCharArray(), salt, iterations, 256)).getEncoded();
      String withoutProof = "c=biws," + parts[0];
      authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
      byte[] clientKey = hmac(saltedPassword, "Client Key");
      byte[] signature = hmac(MessageDigest.getInstance("SHA-256").digest(clientKey), authMessage);
      byte[] proof = new byte[clientKey.length];
      for (int i = 0; i < proof.length; i++) {
        proof[i] = (byte) (clientKey[i] ^ signature[i]);
      }
      return (withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof))
          .getBytes(StandardCharsets.UTF_8);
    }

    String serverFinal() throws GeneralSecurityException {
      return "v=" + Base64.getEncoder().encodeToString(
          hmac(hmac(saltedPassword, "Server Key"), authMessage));
    }

    private static byte[] hmac(byte[] key, String data) throws GeneralSecurityException {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    }
  }
}
