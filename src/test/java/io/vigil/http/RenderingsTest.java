package io.vigil.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vigil.http.Renderings.Kind;
import io.vigil.http.Renderings.Rendered;
import io.vigil.model.Snapshot;
import io.vigil.testsupport.MonitorFixture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Where {@link Renderings} renders: a large snapshot on its own thread, never on the event loop
 * that asked (rendering thousands of checks there delayed every probe of that loop), once for all
 * the callers that miss meanwhile, each answered on its own context; a small one in place.
 */
class RenderingsTest {
  private final Vertx vertx = Vertx.vertx();
  private final Renderings renderings = new Renderings(vertx);
  private final List<String> renderedOn = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() {
    MonitorFixture.await(vertx.close());
  }

  @Test
  void aLargeSnapshotIsRenderedOffTheEventLoopOnceForEveryCallerAndEachIsAnsweredOnItsOwnContext() throws Exception {
    Snapshot large = new FakeBoard(Renderings.OFF_LOOP_CHECKS + 1).snapshot();
    CountDownLatch release = new CountDownLatch(1);
    Function<Snapshot, String> slow = s -> {
      renderedOn.add(Thread.currentThread().getName());
      await(release);
      return "x".repeat(Renderings.LARGE + 1);
    };
    List<Context> contexts = List.of(vertx.getOrCreateContext(), vertx.getOrCreateContext());
    List<Future<Boolean>> answeredOnOwnContext = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      Context c = contexts.get(i % 2);
      Promise<Boolean> onOwn = Promise.promise();
      c.runOnContext(v -> renderings.get(Kind.MICROPROFILE, Tier.FULL, false, large, slow)
          .onComplete(ar -> onOwn.complete(ar.succeeded() && Vertx.currentContext() == c)));
      answeredOnOwnContext.add(onOwn.future());
    }
    Thread.sleep(200); // every caller asks while the rendering is under way
    release.countDown();
    for (Future<Boolean> f : answeredOnOwnContext) {
      assertTrue(MonitorFixture.await(f), "answered on the context that asked");
    }
    assertEquals(1, renderings.renders(), "one rendering for the ten callers");
    assertEquals(1, renderedOn.size());
    assertTrue(renderedOn.get(0).startsWith("vigil-render"), "rendered on the rendering thread, not " + renderedOn.get(0));
  }

  @Test
  void aSmallSnapshotIsRenderedInPlaceAndReusedForTheSameSnapshot() {
    Snapshot small = new FakeBoard(Renderings.OFF_LOOP_CHECKS).snapshot();
    Function<Snapshot, String> render = s -> {
      renderedOn.add(Thread.currentThread().getName());
      return "{}";
    };
    Context c = vertx.getOrCreateContext();
    Promise<Rendered> first = Promise.promise();
    c.runOnContext(v -> {
      Future<Rendered> f = renderings.get(Kind.MICROPROFILE, Tier.FULL, false, small, render);
      assertTrue(f.isComplete(), "no hop for a small body");
      f.onComplete(first);
    });
    Rendered r = MonitorFixture.await(first.future());
    assertTrue(renderedOn.get(0).startsWith("vert.x-eventloop"), "rendered where it was asked: " + renderedOn.get(0));
    assertSame(r, MonitorFixture.await(renderings.get(Kind.MICROPROFILE, Tier.FULL, false, small, render)));
    assertEquals(1, renderings.renders());
  }

  @Test
  void aLargeBodyServesANewerSnapshotForItsWindowOnlyAndNeverWhenTheCallerWantsThatSnapshot() throws Exception {
    Function<Snapshot, String> large = s -> "x".repeat(Renderings.LARGE + 1);
    Snapshot first = new FakeBoard(Renderings.OFF_LOOP_CHECKS + 1).snapshot();
    Snapshot second = new FakeBoard(Renderings.OFF_LOOP_CHECKS + 1).snapshot();
    Rendered r1 = MonitorFixture.await(renderings.get(Kind.MICROPROFILE, Tier.FULL, false, first, large));
    long renderedAt = System.nanoTime();
    Rendered r2 = MonitorFixture.await(renderings.get(Kind.MICROPROFILE, Tier.FULL, false, second, large));
    assertTrue(System.nanoTime() - renderedAt < Renderings.LARGE_REUSE_NANOS, "asked inside the window");
    assertSame(r1, r2, "a newer snapshot gets the large body of the older one inside the window");
    Rendered exact = MonitorFixture.await(renderings.get(Kind.MICROPROFILE, Tier.FULL, false, second, large, 0));
    assertSame(second, exact.snapshot(), "with no reuse asked for, the body is of the snapshot given");
    Snapshot third = new FakeBoard(Renderings.OFF_LOOP_CHECKS + 1).snapshot();
    Thread.sleep(TimeUnit.NANOSECONDS.toMillis(Renderings.LARGE_REUSE_NANOS) + 100);
    Rendered after = MonitorFixture.await(renderings.get(Kind.MICROPROFILE, Tier.FULL, false, third, large));
    assertSame(third, after.snapshot(), "past the window the newer snapshot is rendered");
    assertEquals(3, renderings.renders());
  }

  @Test
  void aSmallBodyIsNeverServedForAnotherSnapshot() {
    Function<Snapshot, String> small = s -> "{}";
    Snapshot first = new FakeBoard(3).snapshot();
    Snapshot second = new FakeBoard(3).snapshot();
    MonitorFixture.await(renderings.get(Kind.MICROPROFILE, Tier.FULL, false, first, small));
    Rendered r = MonitorFixture.await(renderings.get(Kind.MICROPROFILE, Tier.FULL, false, second, small));
    assertSame(second, r.snapshot());
    assertEquals(2, renderings.renders());
  }

  private static void await(CountDownLatch latch) {
    try {
      assertTrue(latch.await(10, TimeUnit.SECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
