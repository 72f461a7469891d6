package dev.courier.mqtt.transport.internal.protocol;

import dev.courier.mqtt.transport.internal.protocol.context.ConnectionPort;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * A fake {@link ConnectionPort}: records what the engine writes and how it steers the connection.
 * Like a Netty channel, {@link #close()} reports the close to the engine later, as a task on the
 * loop ({@code channelInactive}). Its clock and timers are the {@link TestLoop}'s virtual ones.
 */
final class RecordingPort implements ConnectionPort {

  final List<MqttMessage> written = new ArrayList<>();
  /** Messages written before the latest flush. */
  int flushedCount;
  boolean paused;
  boolean closed;
  boolean writable = true;
  int keepAliveSeconds = -1;
  private final TestLoop loop;
  private MqttConnection connection;

  RecordingPort(TestLoop loop) {
    this.loop = loop;
  }

  void connection(MqttConnection engine) {
    this.connection = engine;
  }

  @Override
  public void write(MqttMessage message) {
    if (closed) {
      ReferenceCountUtil.release(message); // a closed channel fails the write and releases it
      return;
    }
    written.add(message);
  }

  @Override
  public void flush() {
    flushedCount = written.size();
  }

  @Override
  public boolean isWritable() {
    return writable && !closed;
  }

  @Override
  public void pauseReading() {
    paused = true;
  }

  @Override
  public void resumeReading() {
    paused = false;
  }

  @Override
  public void keepAlive(int seconds) {
    keepAliveSeconds = seconds;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      loop.execute(connection::closed);
    }
  }

  @Override
  public Executor executor() {
    return loop;
  }

  @Override
  public void schedule(Runnable task, long delayNanos) {
    loop.schedule(task, delayNanos);
  }

  @Override
  public long nanoTime() {
    return loop.nanoTime();
  }

  @Override
  public String remoteAddress() {
    return "test:0";
  }

  /** Releases what was written (payload buffers of PUBLISH). */
  void releaseWritten() {
    written.forEach(ReferenceCountUtil::release);
  }
}
