package dev.mixrelay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.mixrelay.config.Durations;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The container files give the relay longer than its own shutdown deadline: the image's
 * server.shutdownTimeout fits {@code docker stop}'s default 10 s, and every compose service that
 * runs the relay has a stop_grace_period longer than the timeout it sets.
 */
class ContainerStopTest {
  private static final Duration DOCKER_STOP_DEFAULT = Duration.ofSeconds(10);

  @Test
  void theImagesShutdownTimeoutFitsDockerStop() throws Exception {
    Matcher m = Pattern.compile("(?m)^\\s+MIXRELAY_SERVER_SHUTDOWNTIMEOUT=(\\S+)")
        .matcher(Files.readString(Path.of("docker/Dockerfile")));
    assertThat(m.find()).isTrue();
    assertThat(Durations.parse(m.group(1))).isLessThan(DOCKER_STOP_DEFAULT);
  }

  @Test
  void everyComposeServiceRunningTheRelayStopsWithinItsGracePeriod() throws Exception {
    for (String file : new String[] {"docker/compose.yaml", "docker/compose.cluster.yaml"}) {
      // SnakeYAML resolves the files' anchors and merge keys (<<: *processor); Jackson does not
      Object raw = new org.yaml.snakeyaml.Yaml().load(Files.readString(Path.of(file)));
      JsonNode services = new YAMLMapper().valueToTree(raw).get("services");
      int checked = 0;
      for (Iterator<Map.Entry<String, JsonNode>> it = services.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> s = it.next();
        JsonNode command = s.getValue().get("command");
        if (command == null || !command.get(0).asText().equals("run")) {
          continue;
        }
        JsonNode env = s.getValue().path("environment");
        Duration timeout = env.has("MIXRELAY_SERVER_SHUTDOWNTIMEOUT")
            ? Durations.parse(env.get("MIXRELAY_SERVER_SHUTDOWNTIMEOUT").asText())
            : Duration.ofSeconds(8);
        Duration grace = s.getValue().has("stop_grace_period")
            ? Durations.parse(s.getValue().get("stop_grace_period").asText()) : DOCKER_STOP_DEFAULT;
        assertThat(grace).as(file + " " + s.getKey()).isGreaterThan(timeout.plusSeconds(5));
        checked++;
      }
      assertThat(checked).as(file).isPositive();
    }
  }
}
