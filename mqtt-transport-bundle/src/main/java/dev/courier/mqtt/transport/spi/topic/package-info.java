/**
 * Topic structures shared by the transport and the bundles around it, so that each of them does not
 * carry its own:
 *
 * <ul>
 *   <li>{@link dev.courier.mqtt.transport.spi.topic.TopicFilters} (since 0.2), the topic rules:
 *       validity of topic names and filters, and whether a filter matches a topic, covers another
 *       filter or overlaps it (used by the transport, the authorizer and the Artemis bridge);
 *   <li>{@link dev.courier.mqtt.transport.spi.topic.RetainedIndex} (since 0.1), retained messages
 *       by topic name in a trie that a wildcard lookup descends only where the filter can match
 *       (used by the in-memory bridge and the Artemis bridge).
 * </ul>
 *
 * @since 0.1
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.3.0")
package dev.courier.mqtt.transport.spi.topic;
