package dev.courier.mqtt.transport.internal.netty;

/**
 * Where {@link MemoryPressure} reads how full the memory is: the platform's MXBeans and Netty's
 * counters, or a test's numbers. Read on the transport's sampling loop only, never per connection.
 */
interface MemoryGauge {

  /** Percent of the heap's maximum in use after the last garbage collection; -1 if not known. */
  double heapPercent();

  /** Percent of the direct memory limit in use; -1 if not known. */
  double directPercent();
}
