package dev.courier.mqtt.artemis.internal;

import dev.courier.mqtt.transport.spi.bridge.Publication;
import dev.courier.mqtt.transport.spi.bridge.PublishResult;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.persistence.OperationContext;

/**
 * One client's publications on their way into Artemis, kept in the client's order.
 *
 * <p>A publication is routed at once, on the caller's thread, while nothing of this client waits
 * and Artemis has room on the address. Otherwise it waits in a queue: under the {@code BLOCK}
 * address-full policy Artemis admits it later, from one of its own threads, and the queue is then
 * drained in order by whichever thread holds the drain (a work-in-progress counter, so a drain never
 * recurses however many publications wait, and an admission arriving while another thread drains
 * only makes that drain look again). A waiting publication leaves the queue only after it has been
 * routed, so an empty queue means everything before has been routed.
 *
 * <p>A publication arriving while SUBSCRIBEs that the bridge received before it are still being put
 * in place waits for them in the same queue (see {@link SubscriptionFence}).
 *
 * <p>All routes happen in one storage context per client: Artemis adds a durable message to its
 * queues when the storage context it was routed in completes, and contexts complete independently,
 * so publications routed in different threads' contexts could overtake each other.
 */
final class OrderedPublisher {

  private final ArtemisBridge bridge;
  private final OperationContext context;
  private final Queue<Pending> waiting = new ConcurrentLinkedQueue<>();
  private final AtomicInteger drains = new AtomicInteger();

  OrderedPublisher(ArtemisBridge bridge) {
    this.bridge = bridge;
    this.context = bridge.newPublishContext();
  }

  /**
   * Routes a publication after every earlier one of this client.
   *
   * @param stored the publisher's stored session, to record a QoS 2 packet id in; or null
   * @return completes when Artemis has it safely, with whether any queue took it; with {@link
   *     PublishResult#QUOTA_EXCEEDED} if Artemis refused it (address full under the {@code FAIL}
   *     policy); fails if Artemis could not be asked or store it
   */
  CompletableFuture<PublishResult> publish(Publication publication, SessionStore.Stored stored,
      int packetId) {
    Pending pending = new Pending(publication, stored, packetId,
        bridge.address(publication.topic()), bridge.fence().ticket());
    if (waiting.isEmpty() && pending.fence == SubscriptionFence.OPEN) {
      if (!pending.ask()) {
        return pending.refused();
      }
      if (pending.admitted) {
        return bridge.route(publication, pending.address, stored, packetId, context);
      }
    }
    pending.queued = true;
    waiting.add(pending);
    drain();
    return pending.done;
  }

  /** Routes the waiting publications that Artemis has admitted, in order (any thread). */
  private void drain() {
    if (drains.getAndIncrement() != 0) {
      return; // the thread draining now looks again before it stops
    }
    do {
      for (Pending head; (head = waiting.peek()) != null; ) {
        if (!head.asked && !bridge.fence().passedOrLater(head.fence, this::drain)) {
          break; // the end of the subscription change it waits for drains again
        }
        if (!head.asked && !head.ask()) {
          head.refused();
          waiting.poll();
          continue;
        }
        if (!head.admitted) {
          break; // its admission drains again
        }
        bridge.route(head.publication, head.address, head.stored, head.packetId, context)
            .whenComplete(head::finish);
        waiting.poll();
      }
    } while (drains.decrementAndGet() != 0);
  }

  /** A publication and its admission by Artemis; {@link #run} is called when it is admitted. */
  private final class Pending implements Runnable {
    final Publication publication;
    final SessionStore.Stored stored;
    final int packetId;
    final SimpleString address;
    /** The subscription changes it waits for (see {@link SubscriptionFence}). */
    final long fence;
    final CompletableFuture<PublishResult> done = new CompletableFuture<>();
    /** Written only by the thread that holds the drain (or the publisher before queueing it). */
    boolean asked;
    volatile boolean admitted;
    /** Set before it is queued; an admission before that leaves the drain to the publisher. */
    volatile boolean queued;
    private Exception refusal;

    Pending(Publication publication, SessionStore.Stored stored, int packetId,
        SimpleString address, long fence) {
      this.publication = publication;
      this.stored = stored;
      this.packetId = packetId;
      this.address = address;
      this.fence = fence;
    }

    /** Asks Artemis for room; false if it refused (then {@link #refused} says why). */
    boolean ask() {
      asked = true;
      try {
        return bridge.admit(address, this);
      } catch (Exception e) {
        refusal = e;
        return false;
      }
    }

    /** Refused: an address full under {@code FAIL} is a quota (0x97), an error a failure. */
    CompletableFuture<PublishResult> refused() {
      if (refusal != null) {
        done.completeExceptionally(refusal);
      } else {
        done.complete(PublishResult.QUOTA_EXCEEDED);
      }
      return done;
    }

    void finish(PublishResult result, Throwable error) {
      if (error == null) {
        done.complete(result);
      } else {
        done.completeExceptionally(error);
      }
    }

    @Override
    public void run() {
      admitted = true;
      if (queued) {
        drain(); // else admitted at once on the publisher's thread, which routes it or drains
      }
    }
  }
}
