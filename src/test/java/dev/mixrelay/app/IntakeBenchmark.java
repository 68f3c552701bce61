package dev.mixrelay.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Intake throughput: {@code /v1/batch} with 100 realistic events per request over loopback, the
 * log's fsync on. A report, not a timed test: {@code mvn -B -Pbench verify -Dtest=IntakeBenchmark}
 * (seconds via {@code -Dbench.seconds=20}, concurrent requests via {@code -Dbench.concurrency=32}).
 */
@Tag("bench")
class IntakeBenchmark {
  @TempDir
  Path dir;

  @Test
  void intakeThroughputWithFsync() throws Exception {
    int seconds = Integer.getInteger("bench.seconds", 15);
    int concurrency = Integer.getInteger("bench.concurrency", 32);
    boolean pipeline = Boolean.getBoolean("bench.pipeline");
    var config = RelayFixture.baseYaml(dir, "", "http://127.0.0.1:1");
    Vertx vertx = Vertx.vertx();
    Relay relay = RelayFixture.await(Relay.start(vertx, config, Clock.systemUTC(),
        r -> new RelayFixture.RecordingDelivery(), pipeline));
    IntakeLoad.Result measured;
    try (IntakeLoad load = new IntakeLoad(relay.port(), RelayFixture.WRITE_KEY, concurrency)) {
      load.run(Duration.ofSeconds(3), Long.MAX_VALUE); // warm-up
      measured = load.run(Duration.ofSeconds(seconds), Long.MAX_VALUE);
    }
    String report = String.format("intake /v1/batch, 100 events/request, fsync=batch, %d concurrent, %ds"
        + " (pipeline %s): %.0f events/s, %d requests failed%n", concurrency, seconds,
        pipeline ? "on" : "off", measured.eventsPerSecond(), measured.failed());
    System.out.print(report);
    Files.createDirectories(Path.of("target/bench"));
    Files.writeString(Path.of("target/bench/intake.txt"), report);
    assertThat(measured.failed()).isZero();
    RelayFixture.await(relay.stop(Duration.ofSeconds(5)));
    RelayFixture.await(vertx.close());
  }
}
