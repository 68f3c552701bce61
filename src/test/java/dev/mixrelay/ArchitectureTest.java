package dev.mixrelay;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The package rules of the design: stages never import each other; the message stage is written
 * once and both engines call it; app and the commands wire them; the pure cores do no I/O and
 * read no clock; no library's internal package is used.
 */
class ArchitectureTest {
  private static final String ROOT = "dev.mixrelay.";
  private static final List<String> ALL = List.of("segment", "mixpanel", "config", "translate",
      "identity", "session", "log", "deliver", "ingest", "stage", "embedded", "cluster",
      "imports", "demo", "ops", "mock", "cli", "app");
  private static final List<String> STAGES = List.of("segment", "mixpanel", "config",
      "translate", "identity", "session", "log", "deliver", "ingest");
  private static final Map<String, List<String>> MAY_USE = Map.ofEntries(
      Map.entry("segment", List.of()),
      Map.entry("mixpanel", List.of()),
      Map.entry("config", List.of("segment", "mixpanel")),
      Map.entry("translate", List.of("segment", "mixpanel", "config")),
      Map.entry("identity", List.of("segment", "config")),
      Map.entry("session", List.of("mixpanel", "config")),
      Map.entry("log", List.of("segment")),
      Map.entry("deliver", List.of("mixpanel", "config")),
      Map.entry("ingest", List.of("segment", "config", "log")),
      Map.entry("mock", List.of("mixpanel")),
      // the per-message work, once: translate, profiles and links, sessions, records out
      Map.entry("stage", List.of("segment", "mixpanel", "config", "translate", "identity",
          "session", "deliver")),
      // the two engines: how messages arrive, how state is kept, how progress is committed
      Map.entry("embedded", List.of("segment", "mixpanel", "config", "translate", "identity",
          "session", "log", "deliver", "stage")),
      Map.entry("cluster", List.of("segment", "mixpanel", "config", "translate", "identity",
          "session", "log", "deliver", "ingest", "stage", "ops")),
      // the import tool and the demo's traffic: they reach a relay through intake's own rules
      Map.entry("imports", List.of("segment", "config", "log", "ingest")),
      Map.entry("demo", List.of("segment", "mixpanel", "config", "deliver", "ingest")),
      Map.entry("ops", List.of("segment", "mixpanel", "config", "identity", "session",
          "deliver", "ingest", "log", "stage")),
      // the wiring: everything but the commands
      Map.entry("app", List.of("segment", "mixpanel", "config", "translate", "identity",
          "session", "log", "deliver", "ingest", "stage", "embedded", "cluster", "imports",
          "ops", "mock")));

  private final JavaClasses classes = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("dev.mixrelay");

  @Test
  void eachPackageUsesOnlyWhatTheDesignAllows() {
    MAY_USE.forEach((pkg, allowed) -> {
      String[] forbidden = ALL.stream().filter(p -> !p.equals(pkg) && !allowed.contains(p))
          .map(p -> ROOT + p + "..").toArray(String[]::new);
      noClasses().that().resideInAPackage(ROOT + pkg + "..")
          .should().dependOnClassesThat().resideInAnyPackage(forbidden)
          .allowEmptyShould(true)
          .check(classes);
    });
  }

  @Test
  void everyPackageHasARule() {
    TreeSet<String> found = new TreeSet<>();
    for (JavaClass c : classes) {
      String pkg = c.getPackageName();
      if (pkg.startsWith(ROOT)) {
        found.add(pkg.substring(ROOT.length()).split("\\.")[0]);
      }
    }
    assertThat(ALL).containsAll(found);
  }

  @Test
  void onlyTheMessageStageTranslatesOrSessionizes() {
    noClasses().that().resideInAnyPackage(ROOT + "embedded..", ROOT + "cluster..",
            ROOT + "app..", ROOT + "cli..")
        .should().callMethodWhere(com.tngtech.archunit.core.domain.JavaCall.Predicates.target(
            com.tngtech.archunit.base.DescribedPredicate.describe("a translation or a"
                + " sessionizer's event call", t -> {
                  String owner = t.getOwner().getName();
                  String name = t.getName();
                  return owner.equals(ROOT + "translate.Translator") && name.equals("translate")
                      || owner.equals(ROOT + "session.Sessionizer") && (name.equals("onEvents")
                      || name.equals("onTick") || name.equals("adopt")
                      || name.equals("onStreamTime"));
                })))
        .check(classes);
  }

  @Test
  void stagesNeverUseTheEnginesOrTheWiring() {
    noClasses().that().resideInAnyPackage(STAGES.stream().map(p -> ROOT + p + "..")
            .toArray(String[]::new))
        .should().dependOnClassesThat().resideInAnyPackage(ROOT + "stage..",
            ROOT + "embedded..", ROOT + "cluster..", ROOT + "app..", ROOT + "cli..")
        .check(classes);
  }

  @Test
  void nothingBelowTheCommandsReadsTheEnvironment() {
    noClasses().that().resideOutsideOfPackages(ROOT + "app..", ROOT + "cli..")
        .should().callMethod(System.class, "getenv")
        .orShould().callMethod(System.class, "getenv", String.class)
        .orShould().callMethod(System.class, "getProperty", String.class)
        .check(classes);
  }

  @Test
  void thePureCoresNeverUseVertxOrTheClock() {
    for (String pkg : List.of("translate", "session", "stage")) {
      noClasses().that().resideInAPackage(ROOT + pkg + "..")
          .should().dependOnClassesThat().resideInAnyPackage("io.vertx..", "java.io.File",
              "java.nio.file..")
          .orShould().callMethod(System.class, "currentTimeMillis")
          .orShould().callMethod(java.time.Instant.class, "now")
          .orShould().callMethod(java.time.Clock.class, "millis")
          .check(classes);
    }
  }

  @Test
  void noLibrarysInternalPackageIsUsed() {
    noClasses().should().dependOnClassesThat().resideInAnyPackage("..internal..",
            "..internals..")
        .check(classes);
  }

  @Test
  void eachClassNameIsUsedOnce() {
    Map<String, TreeSet<String>> byName = new TreeMap<>();
    for (JavaClass c : classes) {
      if (c.isTopLevelClass() && c.getPackageName().startsWith(ROOT)) {
        byName.computeIfAbsent(c.getSimpleName(), n -> new TreeSet<>()).add(c.getPackageName());
      }
    }
    byName.values().removeIf(packages -> packages.size() < 2 || packages.first().isEmpty());
    byName.remove("package-info");
    assertThat(byName).as("class names used in more than one package").isEmpty();
  }
}
