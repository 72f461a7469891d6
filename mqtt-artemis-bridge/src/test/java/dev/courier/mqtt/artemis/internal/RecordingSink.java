package dev.courier.mqtt.artemis.internal;

import dev.courier.mqtt.transport.spi.bridge.BridgeSession;
import dev.courier.mqtt.transport.spi.bridge.Delivery;
import dev.courier.mqtt.transport.spi.bridge.DeliverySink;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/** A sink that polls on the test thread, like the transport's event loop would. */
final class RecordingSink implements DeliverySink {

  private final BridgeSession session;
  private volatile int signals;

  RecordingSink(BridgeSession session) {
    this.session = session;
  }

  @Override
  public void messagesAvailable() {
    signals++;
  }

  /** Polls until {@code count} deliveries arrived (acknowledging each if asked). */
  List<Delivery> take(int count, boolean acknowledge) {
    List<Delivery> got = new ArrayList<>();
    Awaitility.await().atMost(20, TimeUnit.SECONDS).pollInterval(5, TimeUnit.MILLISECONDS)
        .until(() -> {
          for (Delivery d; got.size() < count && (d = session.poll()) != null; ) {
            got.add(d);
            if (acknowledge && d.qos() > 0) {
              session.acknowledge(d.tag());
            }
          }
          return got.size() >= count;
        });
    return got;
  }

  int signals() {
    return signals;
  }
}
