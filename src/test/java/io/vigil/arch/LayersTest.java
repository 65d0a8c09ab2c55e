package io.vigil.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * Dependencies point one way (docs/architecture.md): model at the bottom, the pure board on it,
 * config and the probes above, the engine on those, the serving side on the engine's read-only
 * view, the built-in notifiers on the pure paging rules, the event-bus bridge on the bus alone (it
 * never sees the engine), the facade and the program on top.
 */
@AnalyzeClasses(packages = "io.vigil", importOptions = ImportOption.DoNotIncludeTests.class)
class LayersTest {

  @ArchTest
  static final ArchRule noPackageCycles = slices().matching("io.vigil.(**)").should().beFreeOfCycles();

  @ArchTest
  static final ArchRule modelAndBoardArePureJava = noClasses()
      .that().resideInAnyPackage("io.vigil.model..", "io.vigil.status..", "io.vigil.paging..",
          "io.vigil.maintenance..")
      .should().dependOnClassesThat().resideInAnyPackage("io.vertx..", "io.micrometer..", "io.netty..")
      .because("the rules are unit-tested without a running Vert.x");

  @ArchTest
  static final ArchRule layersPointDown = layeredArchitecture().consideringOnlyDependenciesInLayers()
      .layer("program").definedBy("io.vigil")
      .layer("shutdown").definedBy("io.vigil.shutdown..")
      .layer("http").definedBy("io.vigil.http..")
      .layer("bridge").definedBy("io.vigil.bridge..")
      .layer("engine").definedBy("io.vigil.engine..")
      .layer("notify").definedBy("io.vigil.notify..")
      .layer("paging").definedBy("io.vigil.paging..")
      .layer("maintenance").definedBy("io.vigil.maintenance..")
      .layer("cluster").definedBy("io.vigil.cluster..")
      .layer("check").definedBy("io.vigil.check..")
      .layer("bus").definedBy("io.vigil.bus..")
      .layer("metrics").definedBy("io.vigil.metrics..")
      .layer("config").definedBy("io.vigil.config..")
      .layer("status").definedBy("io.vigil.status..")
      .layer("model").definedBy("io.vigil.model..")
      .layer("log").definedBy("io.vigil.log..")
      .whereLayer("program").mayNotBeAccessedByAnyLayer()
      .whereLayer("shutdown").mayOnlyBeAccessedByLayers("program")
      .whereLayer("http").mayOnlyBeAccessedByLayers("program", "shutdown")
      .whereLayer("bridge").mayOnlyBeAccessedByLayers("program")
      .whereLayer("bridge").mayOnlyAccessLayers("bus", "config")
      .whereLayer("engine").mayOnlyBeAccessedByLayers("program", "http")
      .whereLayer("cluster").mayOnlyBeAccessedByLayers("program", "engine")
      .whereLayer("notify").mayOnlyBeAccessedByLayers("engine")
      .whereLayer("notify").mayOnlyAccessLayers("paging", "config", "model")
      .whereLayer("paging").mayOnlyBeAccessedByLayers("notify")
      .whereLayer("paging").mayOnlyAccessLayers("model")
      .whereLayer("maintenance").mayOnlyBeAccessedByLayers("engine", "http", "program")
      .whereLayer("maintenance").mayOnlyAccessLayers("model")
      .whereLayer("check").mayOnlyBeAccessedByLayers("program", "engine")
      .whereLayer("status").mayOnlyBeAccessedByLayers("engine")
      .whereLayer("model").mayNotAccessAnyLayer()
      .whereLayer("status").mayOnlyAccessLayers("model");

  @ArchTest
  static final ArchRule handlersSeeOnlyTheView = noClasses().that().resideInAPackage("io.vigil.http..")
      .should().dependOnClassesThat().haveSimpleName("Engine")
      .orShould().dependOnClassesThat().haveSimpleName("BoardVerticle")
      .orShould().dependOnClassesThat().haveSimpleName("StatusBoard");
}
