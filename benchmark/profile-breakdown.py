#!/usr/bin/env python3
"""Where a broker's CPU goes, from a JFR recording's execution samples.

Usage: breakdown.py recording.jfr [--top N]
Runs `jfr print --events jdk.ExecutionSample` and puts each sample in one category, by the first
frame (from the top of the stack) whose class is one of ours, Artemis's, Netty's or the kernel
boundary; JDK frames above it (HashMap.get, locks) count for the code that called them.
Prints the share of samples per category and the hottest methods of each.
"""
import collections, re, subprocess, sys

CATEGORIES = [
    # (category, class-name prefix); first match wins, checked per frame from the top down
    ("syscalls (socket read/write, epoll_wait, fsync)", (
        "io.netty.channel.epoll.Native", "io.netty.channel.epoll.LinuxSocket",
        "io.netty.channel.unix.", "sun.nio.ch.", "sun.nio.fs.", "java.io.FileDescriptor",
        "java.io.RandomAccessFile", "sun.nio.ch.FileDispatcherImpl")),
    ("MQTT decode", ("io.netty.handler.codec.mqtt.MqttDecoder",
                     "dev.courier.mqtt.transport.internal.netty.MqttFrameValidator",
                     "dev.courier.mqtt.transport.internal.netty.PropertySection")),
    ("MQTT encode", ("io.netty.handler.codec.mqtt.MqttEncoder",
                     "dev.courier.mqtt.transport.internal.netty.PublishEncoder",
                     "dev.courier.mqtt.transport.internal.protocol.dialect")),
    ("authorization", ("dev.courier.mqtt.auth.",
                       "dev.courier.mqtt.transport.internal.protocol.flow.PublishAuthorization",
                       "dev.courier.mqtt.transport.internal.protocol.context.AccessControl")),
    ("in-memory bridge", ("dev.courier.mqtt.transport.internal.bridge.memory.",)),
    ("MQTT engine (flows, sessions, topics)", ("dev.courier.mqtt.transport.",)),
    ("Artemis bridge (Courier)", ("dev.courier.mqtt.artemis.",)),
    ("Artemis journal", ("org.apache.activemq.artemis.core.journal.",
                         "org.apache.activemq.artemis.core.io.",
                         "org.apache.activemq.artemis.core.persistence.")),
    ("Artemis post office / queues / messages", ("org.apache.activemq.artemis.",)),
    ("Netty (pipeline, buffers, event loop)", ("io.netty.",)),
    ("logging", ("org.apache.logging.", "org.ops4j.pax.logging.", "org.slf4j.")),
]


def category(frames):
    for frame in frames:
        for name, prefixes in CATEGORIES:
            if frame.startswith(prefixes):
                return name, frame
    return "JDK / other", frames[0] if frames else "?"


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    top = int(sys.argv[sys.argv.index("--top") + 1]) if "--top" in sys.argv else 3
    out = subprocess.run(["jfr", "print", "--events", "jdk.ExecutionSample", sys.argv[1]],
                         capture_output=True, text=True, check=True).stdout
    counts = collections.Counter()
    methods = collections.defaultdict(collections.Counter)
    for block in out.split("jdk.ExecutionSample")[1:]:
        frames = re.findall(r"^\s+([\w$.]+)\(.*\)\s+line:", block, re.M)
        name, frame = category(frames)
        counts[name] += 1
        methods[name][frame] += 1
    total = sum(counts.values()) or 1
    print(f"{total} samples")
    for name, n in counts.most_common():
        hot = ", ".join(f"{m.rsplit('.', 2)[-2]}.{m.rsplit('.', 1)[-1]} {c * 100 // n}%"
                        for m, c in methods[name].most_common(top))
        print(f"{n * 100 / total:5.1f}%  {name}  [{hot}]")


if __name__ == "__main__":
    main()
