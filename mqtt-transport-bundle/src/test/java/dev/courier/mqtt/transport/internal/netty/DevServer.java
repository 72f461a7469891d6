package dev.courier.mqtt.transport.internal.netty;

import dev.courier.mqtt.transport.internal.config.TransportConfig;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the transport with the in-memory bridge outside OSGi, for interop suites and profiling
 * while developing: {@code java -cp ... DevServer [port]}. Not used by the tests themselves.
 */
public final class DevServer {

  private DevServer() {}

  public static void main(String[] args) throws InterruptedException {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 1883;
    RunningTransport server = new RunningTransport(
        RunningTransport.withPort(TransportConfig.defaults(), port));
    Runtime.getRuntime().addShutdownHook(new Thread(server::close));
    new CountDownLatch(1).await();
  }
}
