package dev.mixrelay.cli;

import dev.mixrelay.mock.MockMixpanel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import java.util.concurrent.CountDownLatch;

/** {@code mock-mixpanel}: runs the mock Mixpanel alone until SIGTERM. */
@Command(name = "mock-mixpanel", mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Run the mock Mixpanel alone (what it received: /__mixpanel/events, /counts).")
final class MockMixpanelCommand implements dev.mixrelay.cli.Command {

  @Option(names = "--host", paramLabel = "HOST", defaultValue = "127.0.0.1",
      description = "interface to listen on (default: ${DEFAULT-VALUE})")
  String host = "127.0.0.1";

  @Option(names = "--port", paramLabel = "PORT", defaultValue = "9090",
      description = "port to listen on (default: ${DEFAULT-VALUE})")
  int port = 9090;

  @Option(names = "--token", paramLabel = "TOKEN", description = "the project token it accepts")
  String token;

  @Option(names = "--secret", paramLabel = "SECRET", description = "the API secret it accepts")
  String secret;

  @Override
  public Integer call() throws Exception {
    MockMixpanel mock;
    try {
      MockMixpanel.Builder builder = MockMixpanel.builder().host(host).port(port);
      if (token != null) {
        builder.token(token);
      }
      if (secret != null) {
        builder.credential(secret, "");
      }
      mock = builder.build().start();
    } catch (IllegalArgumentException | IllegalStateException e) {
      System.err.println("mixrelay: " + e.getMessage());
      return 2;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  mock.stop();
                  stopped.countDown();
                },
                "mock-mixpanel-shutdown"));
    System.out.println(
        "mock Mixpanel listening on "
            + mock.baseUrl()
            + " (what it received: "
            + mock.baseUrl()
            + "/__mixpanel/counts, /__mixpanel/events)");
    System.out.flush();
    stopped.await();
    return 0;
  }
}
