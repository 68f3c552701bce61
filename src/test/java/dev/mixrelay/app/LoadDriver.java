package dev.mixrelay.app;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The whole-relay benchmark's other process: a Mixpanel stand-in that answers every request 200
 * at once (it reads the body and nothing more), and the load generator ({@link IntakeLoad}),
 * driven by lines on standard input so that the relay's JVM measures only the relay.
 *
 * <pre>
 *   started:  prints "standin PORT"
 *   "load PORT CONNECTIONS SECONDS"  → posts for SECONDS, prints "load OK FAILED NANOS CPU"
 *                                      (CPU: this process's CPU nanoseconds over the phase)
 *   "counts"                         → prints "counts REQUESTS BYTES" (the stand-in's, so far)
 *   end of input                     → exits
 * </pre>
 */
public final class LoadDriver {
  private static final com.sun.management.OperatingSystemMXBean CPU =
      (com.sun.management.OperatingSystemMXBean)
          java.lang.management.ManagementFactory.getOperatingSystemMXBean();

  private LoadDriver() {}

  public static void main(String[] args) throws Exception {
    Vertx vertx = Vertx.vertx();
    AtomicLong requests = new AtomicLong();
    AtomicLong bytes = new AtomicLong();
    HttpServer standIn = vertx.createHttpServer().requestHandler(req -> req.body().onComplete(b -> {
      requests.incrementAndGet();
      if (b.succeeded()) {
        bytes.addAndGet(b.result().length());
      }
      req.response().putHeader("Content-Type", "application/json")
          .end("{\"code\":200,\"status\":\"OK\"}");
    }));
    int port = standIn.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture()
        .get(30, TimeUnit.SECONDS).actualPort();
    System.out.println("standin " + port);
    System.out.flush();
    java.util.Map<String, IntakeLoad> loads = new java.util.HashMap<>();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      String[] words = line.trim().split("\\s+");
      if (words[0].equals("load")) {
        int target = Integer.parseInt(words[1]);
        int connections = Integer.parseInt(words[2]);
        int seconds = Integer.parseInt(words[3]);
        // one generator per target and connection count, so messageIds never repeat (the
        // relay's de-duplication window would acknowledge repeats without appending them)
        IntakeLoad load = loads.computeIfAbsent(target + "/" + connections,
            k -> new IntakeLoad(target, RelayFixture.WRITE_KEY, connections));
        long cpu0 = CPU.getProcessCpuTime();
        IntakeLoad.Result r = load.run(Duration.ofSeconds(seconds), Long.MAX_VALUE);
        System.out.println("load " + r.ok() + " " + r.failed() + " " + r.nanos() + " "
            + (CPU.getProcessCpuTime() - cpu0));
      } else if (words[0].equals("counts")) {
        System.out.println("counts " + requests.get() + " " + bytes.get());
      }
      System.out.flush();
    }
    loads.values().forEach(IntakeLoad::close);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
