package dev.courier.mqtt.transport.internal.protocol.context;

import io.netty.handler.codec.mqtt.MqttMessage;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * What the protocol engine needs from a network connection, and nothing more: the Netty layer
 * implements it over a channel, tests implement it over a list. All methods are called on the
 * connection's own thread, except {@link #executor()} and {@link #handOff}, which may be used
 * from any thread to get back onto it.
 */
public interface ConnectionPort {

  /** Queues a packet for sending; ownership of its buffers passes to the port. */
  void write(MqttMessage message);

  /** Sends everything written so far. */
  void flush();

  /** Whether the outbound buffer is below its high-water mark. */
  boolean isWritable();

  /** Stops reading from the client (backpressure towards a publisher, or until CONNACK). */
  void pauseReading();

  /** Reads from the client again. */
  void resumeReading();

  /**
   * Arms the keep-alive timer, replacing one armed before: the engine's {@code keepAliveExpired()}
   * is called once nothing was received for 1.5 times {@code seconds} [MQTT-3.1.2-24], and again
   * each such period while the connection stays open and silent; 0 stops the timer.
   */
  void keepAlive(int seconds);

  /** Closes the connection; the engine's {@code closed()} follows. */
  void close();

  /**
   * Closes the connection after a last packet (DISCONNECT, or CONNACK refusing the client) so that
   * the client can still read it while it is sending: the engine's {@code closed()} follows, soon
   * and once, while the network side may keep the socket a little longer. By default the same as
   * {@link #close()}.
   */
  default void closeAfterLastPacket() {
    close();
  }

  /**
   * Closes the connection after the client's DISCONNECT. The client must close it too
   * [MQTT-3.14.4-1], so the network side may wait a little for the client to close first: then the
   * TCP TIME_WAIT state stays with the client, not with the server, where thousands of them (one
   * per disconnect) would delay new connections from the same address and port. The engine's
   * {@code closed()} follows at once either way. By default the same as {@link #close()}.
   */
  default void closeAfterClient() {
    close();
  }

  /** The thread that owns this connection. */
  Executor executor();

  /**
   * Runs {@code task} on the connection's own thread soon; callable from any thread. Called on
   * another connection's thread, the hand-over may wait until that thread has finished its current
   * work (a read), so that the signals of one read wake this connection's thread once. By default
   * {@code executor().execute(task)}.
   */
  default void handOff(Runnable task) {
    executor().execute(task);
  }

  /**
   * Runs {@code task} on the connection's own thread once {@code delayNanos} have passed by
   * {@link #nanoTime()}. Not cancelled by a close: the task checks whether it is still wanted.
   */
  void schedule(Runnable task, long delayNanos);

  /** The connection's clock for delays, in nanoseconds as {@link System#nanoTime()}. */
  default long nanoTime() {
    return System.nanoTime();
  }

  /** The peer's address, for logs. */
  String remoteAddress();

  /** The TLS client certificate chain, leaf first; empty for plain TCP or none presented. */
  default List<X509Certificate> peerCertificates() {
    return List.of();
  }
}
