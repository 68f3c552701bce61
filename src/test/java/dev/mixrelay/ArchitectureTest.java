package dev.mixrelay;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The package rules of DESIGN.md: stages never import each other; app wires them. */
class ArchitectureTest {
  private static final String ROOT = "dev.mixrelay.";
  private static final List<String> ALL = List.of("segment", "mixpanel", "config", "translate",
      "identity", "session", "log", "deliver", "ingest", "ops", "app", "mock", "cluster");
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
      Map.entry("cluster", List.of("segment", "mixpanel", "config", "translate", "identity",
          "session", "log", "deliver", "ingest", "ops", "mock")));

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
  void onlyAppUsesTheClusterProcessor() {
    noClasses().that().resideOutsideOfPackages(ROOT + "app..", ROOT + "cluster..")
        .should().dependOnClassesThat().resideInAPackage(ROOT + "cluster..")
        .allowEmptyShould(true)
        .check(classes);
  }

  @Test
  void nothingBelowAppReadsTheEnvironment() {
    noClasses().that().resideOutsideOfPackage(ROOT + "app..")
        .should().callMethod(System.class, "getenv")
        .orShould().callMethod(System.class, "getenv", String.class)
        .orShould().callMethod(System.class, "getProperty", String.class)
        .check(classes);
  }

  @Test
  void thePureCoresNeverUseVertxOrTheClock() {
    noClasses().that().resideInAPackage(ROOT + "translate..")
        .should().dependOnClassesThat().resideInAnyPackage("io.vertx..")
        .orShould().callMethod(System.class, "currentTimeMillis")
        .orShould().callMethod(java.time.Instant.class, "now")
        .check(classes);
  }
}
