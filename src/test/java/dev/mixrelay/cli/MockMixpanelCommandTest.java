package dev.mixrelay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MockMixpanelCommandTest {

  @Test
  void isRegisteredAsMockMixpanel() {
    assertThat(Main.commands()).containsKey("mock-mixpanel");
    assertThat(Main.commands().get("mock-mixpanel")).isInstanceOf(MockMixpanelCommand.class);
  }

  @Test
  void refusesAPortThatIsNotANumberWithExitCodeTwo() throws Exception {
    assertThat(Main.execute(new String[] {"mock-mixpanel", "--port", "ninety"})).isEqualTo(2);
    assertThat(Main.execute(new String[] {"mock-mixpanel", "--port", "70000"})).isEqualTo(2);
  }

  @Test
  void refusesAPortThatIsTakenWithExitCodeTwo() throws Exception {
    try (java.net.ServerSocket taken =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      assertThat(
              Main.execute(
                  new String[] {"mock-mixpanel", "--port", Integer.toString(taken.getLocalPort())}))
          .isEqualTo(2);
    }
  }
}
