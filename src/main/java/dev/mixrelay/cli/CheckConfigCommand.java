package dev.mixrelay.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.mixrelay.config.DestinationConfig;
import dev.mixrelay.config.Durations;
import dev.mixrelay.config.RelayConfig;
import dev.mixrelay.config.SourceConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code check-config}: validates a config file and the {@code MIXRELAY_*} environment without
 * starting anything; prints the effective settings (every secret masked) and, per destination,
 * what the relay will do. Exit code 0 when valid, 2 when not (every problem listed).
 */
@Command(name = "check-config", mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = {"Validate a config (and the MIXRELAY_* environment) without starting anything;"
        + " print the effective settings, secrets masked, and what each destination will do.",
        "Reads nothing of storage.dir, so it works while a relay runs."})
final class CheckConfigCommand implements dev.mixrelay.cli.Command {
  /** Keys whose values are secrets wherever they appear. */
  private static final Set<String> SECRET_KEYS = Set.of("writekey", "webhooksecret", "apisecret",
      "secret", "token");
  /** Kafka client properties that carry credentials. */
  private static final Pattern SECRET_PROPERTY =
      Pattern.compile("(?i).*(password|secret|jaas|token|key\\b|credential).*");
  static final String MASK = "***";

  private static final ObjectMapper YAML = YAMLMapper.builder()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      .addModule(new SimpleModule().addSerializer(Duration.class, new DurationSerializer()))
      .build();

  @Mixin
  ConfigOption config = new ConfigOption();

  @Override
  public Integer call() throws IOException {
    RelayConfig config = this.config.load();
    if (config == null) {
      return 2;
    }
    System.out.println("# " + this.config.path + " is valid. Effective settings (file, then"
        + " MIXRELAY_* environment, then defaults); secrets shown as " + MASK + ":");
    System.out.print(YAML.writeValueAsString(masked(config)));
    System.out.println();
    System.out.println("# What each destination will do:");
    for (DestinationConfig d : config.destinations().values()) {
      System.out.println(EffectiveConfig.plan(config, d));
    }
    config.sources().forEach(s -> System.out.println("# source " + s.name() + " -> "
        + s.destination() + (s.webhookSecret() == null ? ", webhooks unsigned"
        : ", webhooks must carry X-Signature") + ", messageId window " + window(config, s)));
    return 0;
  }

  private static String window(RelayConfig config, SourceConfig s) {
    Duration w = s.dedupWindow(config.dedup().window());
    String shown = w.isZero() ? "off" : Durations.format(w);
    return shown + (s.dedup() != null && s.dedup().window() != null ? " (sources[].dedup.window)"
        : " (dedup.window)");
  }

  /** The config as a tree with every secret replaced by {@link #MASK}. */
  static JsonNode masked(RelayConfig config) {
    JsonNode tree = YAML.valueToTree(config);
    mask(tree, false);
    return tree;
  }

  private static void mask(JsonNode node, boolean kafkaProperties) {
    if (node instanceof ObjectNode obj) {
      Iterator<Map.Entry<String, JsonNode>> fields = obj.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> f = fields.next();
        boolean secret = kafkaProperties ? SECRET_PROPERTY.matcher(f.getKey()).matches()
            : SECRET_KEYS.contains(f.getKey().toLowerCase(java.util.Locale.ROOT));
        if (secret && !f.getValue().isNull() && !f.getValue().isContainerNode()) {
          f.setValue(obj.textNode(MASK));
        } else {
          mask(f.getValue(), f.getKey().equals("properties"));
        }
      }
    } else if (node != null && node.isArray()) {
      node.forEach(n -> mask(n, false));
    }
  }

  private static final class DurationSerializer extends StdSerializer<Duration> {
    DurationSerializer() {
      super(Duration.class);
    }

    @Override
    public void serialize(Duration d, JsonGenerator gen, SerializerProvider provider)
        throws IOException {
      gen.writeString(Durations.format(d));
    }
  }
}
