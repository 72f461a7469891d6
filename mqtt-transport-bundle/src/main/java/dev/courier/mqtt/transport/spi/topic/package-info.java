/**
 * Topic structures shared by the transport and the bundles around it, so that each of them does not
 * carry its own: {@link dev.courier.mqtt.transport.spi.topic.RetainedIndex}, retained messages by
 * topic name in a trie that a wildcard lookup descends only where the filter can match (used by the
 * in-memory bridge and the Artemis bridge).
 *
 * @since 0.1
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package dev.courier.mqtt.transport.spi.topic;
