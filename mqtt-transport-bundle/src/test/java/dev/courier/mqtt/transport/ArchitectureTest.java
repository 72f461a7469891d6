package dev.courier.mqtt.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * House rule 1 (STYLE.md): the layers of the transport bundle are visible in its packages, and the
 * imports between them are checked here so that the picture cannot rot.
 *
 * <p>Reads the sources under {@code src/main/java} (surefire runs in the module directory) and
 * checks each file's {@code import} statements against the rules of its package. A package that
 * does not exist yet is simply not checked. Violations are reported as {@code file: import}.
 */
class ArchitectureTest {

  private static final String ROOT_PACKAGE = "dev.courier.mqtt.transport";
  private static final Pattern PACKAGE_DECLARATION = Pattern.compile("^package\\s+([\\w.]+)\\s*;");
  private static final Pattern IMPORT_DECLARATION =
      Pattern.compile("^import\\s+(?:static\\s+)?([\\w.]+(?:\\.\\*)?)\\s*;");

  private static Path sourceRoot;
  private static List<SourceFile> sources;

  @BeforeAll
  static void readSources() throws IOException {
    sourceRoot = Stream.of(Path.of("src/main/java"), Path.of("mqtt-transport-bundle/src/main/java"))
        .filter(Files::isDirectory)
        .findFirst()
        .orElseThrow(() -> new IllegalStateException(
            "No src/main/java below " + Path.of("").toAbsolutePath()));
    try (Stream<Path> files = Files.walk(sourceRoot)) {
      sources = files.filter(file -> file.toString().endsWith(".java"))
          .sorted()
          .map(ArchitectureTest::parse)
          .toList();
    }
  }

  @Test
  void whenSourcesAreRead_thenTopicAndRetainedPackagesAreFound() {
    // Guards the test itself: a wrong source root would make every rule pass vacuously.
    assertThat(sources).extracting(SourceFile::packageName)
        .contains(ROOT_PACKAGE + ".internal.topic", ROOT_PACKAGE + ".spi.topic");
  }

  @Test
  void whenTopicOrRetained_thenOnlyJavaImportsAndTheExportedTopicRules() {
    // internal.topic delegates its rules to spi.topic's TopicFilters; spi.topic needs nothing.
    assertNoViolations(inPackages("spi.topic"), imported -> !imported.startsWith("java."));
    assertNoViolations(inPackages("internal.topic"), imported -> !imported.startsWith("java.")
        && !isUnder(packageOf(imported), ROOT_PACKAGE + ".spi.topic"));
  }

  @Test
  void whenProtocol_thenNoNettyChannelAndNoOsgi() {
    assertNoViolations(inPackages("internal.protocol"),
        imported -> isUnder(imported, "io.netty.channel") || isUnder(imported, "org.osgi"));
  }

  @Test
  void whenSessionOrMemoryBridge_thenNoNettyAndNoOsgi() {
    assertNoViolations(inPackages("internal.session", "internal.bridge.memory"),
        imported -> isUnder(imported, "io.netty") || isUnder(imported, "org.osgi"));
  }

  @Test
  void whenApiOrSpi_thenOnlyJavaAndOsgiAnnotationImports() {
    // The bridge SPI names the shared-subscription form of the exported topic rules (spi.topic).
    assertNoViolations(inPackages("api", "spi"),
        imported -> !imported.startsWith("java.") && !isUnder(imported, "org.osgi.annotation")
            && !isUnder(packageOf(imported), ROOT_PACKAGE + ".spi.topic"));
  }

  @Test
  void whenNotComponentPackage_thenNoDeclarativeServicesOrMetatypeImports() {
    Predicate<SourceFile> outsideComponent = inPackages("internal.component").negate();
    assertNoViolations(outsideComponent,
        imported -> isUnder(imported, "org.osgi.service.component")
            || isUnder(imported, "org.osgi.service.metatype"));
  }

  /**
   * Which of our packages each package may import (DESIGN.md, "The protocol engine"): anything of
   * ours not listed is a violation. The network layer sees the engine's entry types only; the
   * engine knows nothing of the component, the network or the in-memory bridge; the topic tree
   * takes its rules from the exported {@code spi.topic}.
   */
  private static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
      Map.entry("internal.component", Set.of("api", "spi", "internal.config", "internal.netty",
          "internal.protocol", "internal.protocol.context", "internal.session",
          "internal.bridge.memory")),
      Map.entry("internal.netty", Set.of("internal.config", "internal.protocol",
          "internal.protocol.context", "internal.protocol.dialect")),
      Map.entry("internal.protocol", Set.of("internal.config", "internal.session",
          "internal.topic", "internal.protocol.context", "internal.protocol.flow",
          "internal.protocol.dialect", "spi")),
      Map.entry("internal.protocol.flow", Set.of("internal.config", "internal.session",
          "internal.topic", "internal.protocol.context", "internal.protocol.dialect", "spi")),
      Map.entry("internal.protocol.context", Set.of("internal.config", "internal.session",
          "internal.topic", "internal.protocol.dialect", "spi")),
      Map.entry("internal.protocol.dialect", Set.of("spi")),
      Map.entry("internal.session", Set.of("spi")),
      Map.entry("internal.bridge.memory", Set.of("internal.topic", "spi")),
      Map.entry("internal.config", Set.of()),
      Map.entry("internal.topic", Set.of("spi.topic")),
      Map.entry("api", Set.of()),
      Map.entry("spi", Set.of("spi.topic")),
      Map.entry("spi.topic", Set.of()));

  @Test
  void whenOurPackagesImportEachOther_thenOnlyAsTheAllowListSays() {
    List<String> violations = new ArrayList<>();
    for (SourceFile file : sources) {
      String layer = layerOf(file.packageName());
      Set<String> allowed = ALLOWED.get(layer);
      assertThat(allowed).as("%s is in no layer of the allow-list", file.packageName()).isNotNull();
      for (String imported : file.imports()) {
        if (!imported.startsWith(ROOT_PACKAGE + ".")) {
          continue;
        }
        String target = layerOf(packageOf(imported));
        // "spi" allows spi.topic too: an allowed layer admits the layers below it.
        if (!target.equals(layer) && allowed.stream().noneMatch(
            permitted -> isUnder(ROOT_PACKAGE + "." + target, ROOT_PACKAGE + "." + permitted))) {
          violations.add(sourceRoot.relativize(file.path()) + ": " + imported);
        }
      }
    }
    assertThat(violations).as("imports outside the allow-list").isEmpty();
  }

  /** The allow-list entry a package belongs to: the longest key it lies in. */
  private static String layerOf(String packageName) {
    String best = null;
    for (String layer : ALLOWED.keySet()) {
      if (isUnder(packageName, ROOT_PACKAGE + "." + layer)
          && (best == null || layer.length() > best.length())) {
        best = layer;
      }
    }
    return best == null ? packageName : best;
  }

  /** The package of an imported type (or of a static member's type). */
  private static String packageOf(String imported) {
    String[] parts = imported.split("\\.");
    StringBuilder name = new StringBuilder();
    for (String part : parts) {
      if (!part.isEmpty() && Character.isUpperCase(part.charAt(0))) {
        break;
      }
      if (name.length() > 0) {
        name.append('.');
      }
      name.append(part);
    }
    return name.toString();
  }

  @Test
  void whenImportsAppearInComments_thenParserIgnoresThem() {
    SourceFile parsed = parse(Path.of("Sample.java"), String.join("\n",
        "/* license",
        "import io.netty.channel.Channel;",
        "*/",
        "package dev.courier.mqtt.transport.internal.topic;",
        "// import org.osgi.framework.Bundle;",
        "import java.util.List;",
        "import static java.util.Objects.requireNonNull;",
        "import   java.util.concurrent.*;",
        "/** Javadoc",
        " * import io.netty.buffer.ByteBuf;",
        " */",
        "final class Sample {}"));

    assertThat(parsed.packageName()).isEqualTo("dev.courier.mqtt.transport.internal.topic");
    assertThat(parsed.imports()).containsExactly(
        "java.util.List", "java.util.Objects.requireNonNull", "java.util.concurrent.*");
  }

  /** Files whose package is one of {@code relativePackages} (below the root) or a subpackage. */
  private static Predicate<SourceFile> inPackages(String... relativePackages) {
    return file -> Stream.of(relativePackages)
        .anyMatch(relative -> isUnder(file.packageName(), ROOT_PACKAGE + "." + relative));
  }

  /** Whether {@code name} is {@code prefix} itself or lies below it. */
  private static boolean isUnder(String name, String prefix) {
    return name.equals(prefix) || name.startsWith(prefix + ".");
  }

  private static void assertNoViolations(Predicate<SourceFile> scope, Predicate<String> forbidden) {
    List<String> violations = new ArrayList<>();
    for (SourceFile file : sources) {
      if (!scope.test(file)) {
        continue;
      }
      for (String imported : file.imports()) {
        if (forbidden.test(imported)) {
          violations.add(sourceRoot.relativize(file.path()) + ": " + imported);
        }
      }
    }
    assertThat(violations).as("imports breaking the layer rules of STYLE.md rule 1").isEmpty();
  }

  private static SourceFile parse(Path file) {
    try {
      return parse(file, Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Extracts the package and the imports, skipping comments. Imports and the package declaration
   * sit at the top of a file, so a line scanner that tracks block comments is enough.
   */
  static SourceFile parse(Path file, String content) {
    String packageName = "";
    List<String> imports = new ArrayList<>();
    boolean inBlockComment = false;
    for (String rawLine : content.split("\\R")) {
      String line = rawLine.strip();
      if (inBlockComment) {
        int close = line.indexOf("*/");
        if (close < 0) {
          continue;
        }
        inBlockComment = false;
        line = line.substring(close + 2).strip();
      }
      if (line.startsWith("/*")) {
        int close = line.indexOf("*/", 2);
        if (close < 0) {
          inBlockComment = true;
          continue;
        }
        line = line.substring(close + 2).strip();
      }
      Matcher packageMatch = PACKAGE_DECLARATION.matcher(line);
      if (packageMatch.find()) {
        packageName = packageMatch.group(1);
        continue;
      }
      Matcher importMatch = IMPORT_DECLARATION.matcher(line);
      if (importMatch.find()) {
        imports.add(importMatch.group(1));
      }
    }
    return new SourceFile(file, packageName, List.copyOf(imports));
  }

  /** One parsed source file. */
  record SourceFile(Path path, String packageName, List<String> imports) {
  }
}
