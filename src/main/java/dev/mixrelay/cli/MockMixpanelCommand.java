package dev.mixrelay.cli;

import dev.mixrelay.mock.MockMixpanel;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/** {@code mock-mixpanel}: runs the mock Mixpanel alone until SIGTERM. */
final class MockMixpanelCommand implements Command {

  @Override
  public String name() {
    return "mock-mixpanel";
  }

  @Override
  public String summary() {
    return "run the mock Mixpanel alone (--port 9090, --host 127.0.0.1, --token, --secret)";
  }

  @Override
  public int run(List<String> args) throws Exception {
    MockMixpanel mock;
    try {
      MockMixpanel.Builder builder =
          MockMixpanel.builder()
              .host(Options.value(args, "--host", "127.0.0.1"))
              .port(Integer.parseInt(Options.value(args, "--port", "9090")));
      String token = Options.value(args, "--token", null);
      if (token != null) {
        builder.token(token);
      }
      String secret = Options.value(args, "--secret", null);
      if (secret != null) {
        builder.credential(secret, "");
      }
      mock = builder.build().start();
    } catch (NumberFormatException e) {
      System.err.println(
          "mixrelay: --port must be a number, was " + Options.value(args, "--port", ""));
      return 2;
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
