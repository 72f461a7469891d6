package dev.courier.mqtt.transport.internal.protocol;

import dev.courier.mqtt.transport.spi.bridge.BridgeSession;
import dev.courier.mqtt.transport.spi.bridge.Delivery;
import dev.courier.mqtt.transport.spi.bridge.DeliverySink;
import dev.courier.mqtt.transport.spi.bridge.Publication;
import dev.courier.mqtt.transport.spi.bridge.SubscriptionRequest;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/** A bridge session that forwards everything to another; tests override what they observe. */
class ForwardingSession implements BridgeSession {

  protected final BridgeSession inner;

  ForwardingSession(BridgeSession inner) {
    this.inner = inner;
  }

  @Override
  public boolean present() {
    return inner.present();
  }

  @Override
  public CompletionStage<Void> publish(Publication publication) {
    return inner.publish(publication);
  }

  @Override
  public CompletionStage<Void> publishExactlyOnce(Publication publication, int packetId) {
    return inner.publishExactlyOnce(publication, packetId);
  }

  @Override
  public Set<Integer> awaitingRelease() {
    return inner.awaitingRelease();
  }

  @Override
  public void release(int packetId) {
    inner.release(packetId);
  }

  @Override
  public void recover() {
    inner.recover();
  }

  @Override
  public CompletionStage<List<Integer>> subscribe(List<SubscriptionRequest> requests) {
    return inner.subscribe(requests);
  }

  @Override
  public CompletionStage<Void> unsubscribe(List<String> filters) {
    return inner.unsubscribe(filters);
  }

  @Override
  public void attach(DeliverySink sink) {
    inner.attach(sink);
  }

  @Override
  public void detach() {
    inner.detach();
  }

  @Override
  public Delivery poll() {
    return inner.poll();
  }

  @Override
  public void acknowledge(long tag) {
    inner.acknowledge(tag);
  }

  @Override
  public CompletionStage<Void> close() {
    return inner.close();
  }
}
