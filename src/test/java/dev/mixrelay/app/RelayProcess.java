package dev.mixrelay.app;

import dev.mixrelay.cli.Main;

import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The relay, or the mock Mixpanel, in a JVM of its own started from the test classpath (so a test
 * can kill it with SIGKILL and watch its memory), and the waits that go with it.
 */
final class RelayProcess {
  private RelayProcess() {}

  /** {@code Main run --config CONFIG} with these JVM options, output (both streams) to a file. */
  static Process relay(Path config, Path output, String... jvmOptions) throws Exception {
    return java(List.of(jvmOptions), List.of("run", "--config", config.toString()), output);
  }

  /** {@code Main mock-mixpanel --port PORT ARGS...} with these JVM options. */
  static Process mock(int port, List<String> args, Path output, String... jvmOptions)
      throws Exception {
    List<String> all = new ArrayList<>(List.of("mock-mixpanel", "--port", Integer.toString(port)));
    all.addAll(args);
    return java(List.of(jvmOptions), all, output);
  }

  private static Process java(List<String> jvmOptions, List<String> args, Path output)
      throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Main.class.getName());
    command.addAll(args);
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile())
        .start();
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** Waits until {@code GET path} on the loopback port answers 200. */
  static void awaitOk(Vertx vertx, WebClient client, int port, String path, int seconds)
      throws Exception {
    waitFor(vertx, () -> {
      try {
        return client.get(port, "127.0.0.1", path).send().toCompletionStage().toCompletableFuture()
            .get(2, TimeUnit.SECONDS).statusCode() == 200;
      } catch (Exception e) {
        return false;
      }
    }, seconds);
  }

  /** Polls the condition (off the event loop) every 100 ms; fails after {@code seconds}. */
  static void waitFor(Vertx vertx, BooleanSupplier condition, int seconds) throws Exception {
    waitFor(vertx, condition, seconds, 100);
  }

  /** Polls the condition (off the event loop, one poll at a time) every {@code periodMs}. */
  static void waitFor(Vertx vertx, BooleanSupplier condition, int seconds, long periodMs)
      throws Exception {
    CompletableFuture<Void> done = new CompletableFuture<>();
    long id = vertx.setPeriodic(periodMs, t -> vertx.executeBlocking(condition::getAsBoolean)
        .onSuccess(ok -> {
          if (ok) {
            done.complete(null);
          }
        }));
    try {
      done.get(seconds, TimeUnit.SECONDS);
    } finally {
      vertx.cancelTimer(id);
    }
  }
}
