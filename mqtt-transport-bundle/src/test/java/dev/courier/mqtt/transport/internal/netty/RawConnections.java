package dev.courier.mqtt.transport.internal.netty;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Plain sockets to a test listener that send a hand-written CONNECT and read the CONNACK, for
 * tests of what the listener answers before any engine is involved. Closed together.
 */
final class RawConnections implements AutoCloseable {

  private final List<Socket> sockets = new ArrayList<>();

  /**
   * Connects with a CONNECT of {@code version} (4: 3.1.1, 5: 5.0) and clean session.
   *
   * @return the CONNACK's return or reason code
   */
  int connect(int port, String clientId, int version) throws IOException {
    Socket socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
    sockets.add(socket);
    byte[] id = clientId.getBytes(StandardCharsets.UTF_8);
    boolean five = version == 5;
    int remaining = 10 + (five ? 1 : 0) + 2 + id.length;
    OutputStream out = socket.getOutputStream();
    out.write(new byte[] {0x10, (byte) remaining, 0, 4, 'M', 'Q', 'T', 'T', (byte) version, 2, 0,
        60});
    if (five) {
      out.write(0); // no properties
    }
    out.write(new byte[] {0, (byte) id.length});
    out.write(id);
    out.flush();
    DataInputStream in = new DataInputStream(socket.getInputStream());
    assertThat(in.readUnsignedByte()).as("CONNACK").isEqualTo(0x20);
    int length = in.readUnsignedByte();
    byte[] rest = new byte[length];
    in.readFully(rest);
    return rest[1] & 0xFF;
  }

  /** The {@code index}th socket connected, from 0. */
  Socket get(int index) {
    return sockets.get(index);
  }

  /** The socket connected last. */
  Socket last() {
    return sockets.get(sockets.size() - 1);
  }

  /** Whether the server closed the socket (after whatever it had sent was read). */
  static boolean closedByServer(Socket socket) throws IOException {
    return socket.getInputStream().read() == -1;
  }

  /** Whether a connected socket answers PINGREQ with PINGRESP: its connection is served. */
  static boolean pings(Socket socket) throws IOException {
    socket.getOutputStream().write(new byte[] {(byte) 0xC0, 0});
    socket.getOutputStream().flush();
    DataInputStream in = new DataInputStream(socket.getInputStream());
    return in.readUnsignedByte() == 0xD0 && in.readUnsignedByte() == 0;
  }

  @Override
  public void close() throws IOException {
    for (Socket socket : sockets) {
      socket.close();
    }
  }
}
