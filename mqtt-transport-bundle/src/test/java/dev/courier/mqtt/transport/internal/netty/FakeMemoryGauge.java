package dev.courier.mqtt.transport.internal.netty;

/** A {@link MemoryGauge} that says what the test set: memory pressure without filling memory. */
final class FakeMemoryGauge implements MemoryGauge {

  volatile double heap = 10;
  volatile double direct = 10;

  @Override
  public double heapPercent() {
    return heap;
  }

  @Override
  public double directPercent() {
    return direct;
  }
}
