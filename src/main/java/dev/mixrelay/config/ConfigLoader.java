package dev.mixrelay.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Loads {@link RelayConfig} from YAML, applies environment overrides, and validates it.
 *
 * <p>An environment variable {@code MIXRELAY_A_B_C} sets the key path {@code a.b.c}, matching
 * existing keys case-insensitively (so {@code MIXRELAY_DESTINATIONS_MAIN_APISECRET} sets
 * {@code destinations.main.apiSecret}); list items are addressed by index
 * ({@code MIXRELAY_SOURCES_0_WEBHOOKSECRET}). The environment is passed in: this package never
 * reads it itself.
 */
public final class ConfigLoader {
  /** The prefix of environment overrides. */
  public static final String ENV_PREFIX = "MIXRELAY_";

  private static final ObjectMapper YAML = YAMLMapper.builder(new YAMLFactory())
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
      .addModule(new SimpleModule().addDeserializer(Duration.class, new DurationDeserializer())
          .addDeserializer(SessionConfig.Mode.class, new SessionModeDeserializer()))
      .build();

  /** Every key name a config record has, lower-cased → as spelled, for overrides of absent keys. */
  private static final Map<String, String> KNOWN_KEYS = knownKeys();

  private ConfigLoader() {}

  /** Loads and validates the file; throws {@link ConfigException} naming the file and every problem. */
  public static RelayConfig load(Path file, Map<String, String> env) {
    String name = file.toString();
    JsonNode tree;
    try {
      tree = YAML.readTree(Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      throw new ConfigException(name, List.of("the file does not exist"));
    } catch (IOException e) {
      throw new ConfigException(name, List.of(syntax(e)));
    }
    return fromTree(tree, env, name);
  }

  /** Loads and validates YAML text (tests, embedded configs). */
  public static RelayConfig parse(String yaml, Map<String, String> env, String sourceName) {
    try {
      return fromTree(YAML.readTree(yaml), env, sourceName);
    } catch (IOException e) {
      throw new ConfigException(sourceName, List.of(syntax(e)));
    }
  }

  /** A YAML syntax error as "line L, column C: what is wrong". */
  static String syntax(IOException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof org.yaml.snakeyaml.error.MarkedYAMLException m
          && m.getProblemMark() != null) {
        String context = m.getContext() == null ? "" : " (" + m.getContext() + ")";
        return "is not valid YAML: line " + (m.getProblemMark().getLine() + 1) + ", column "
            + (m.getProblemMark().getColumn() + 1) + ": " + m.getProblem() + context;
      }
    }
    if (e instanceof com.fasterxml.jackson.core.JsonProcessingException j
        && j.getLocation() != null) {
      return "is not valid YAML: line " + j.getLocation().getLineNr() + ", column "
          + j.getLocation().getColumnNr() + ": " + firstLine(j.getOriginalMessage());
    }
    return "is not valid YAML: " + firstLine(e.getMessage());
  }

  private static RelayConfig fromTree(JsonNode tree, Map<String, String> env, String name) {
    if (tree != null && !tree.isNull() && !tree.isMissingNode() && !(tree instanceof ObjectNode)) {
      throw new ConfigException(name, List.of("must be a YAML mapping of keys (server, storage,"
          + " sources, destinations, ...), not a " + tree.getNodeType().toString()
          .toLowerCase(Locale.ROOT)));
    }
    ObjectNode root = tree instanceof ObjectNode o ? o : JsonNodeFactory.instance.objectNode();
    List<String> problems = new ArrayList<>();
    Map<String, String> envByPath = new TreeMap<>();
    applyEnv(root, env, problems, envByPath);
    problems.addAll(new TreeCheck(YAML, envByPath).check(root));
    RelayConfig config;
    try {
      config = YAML.treeToValue(root, RelayConfig.class);
    } catch (UnrecognizedPropertyException e) {
      problems.add(path(e) + " is not a known key"
          + (e.getKnownPropertyIds() == null ? "" : " (known here: " + known(e) + ")"));
      throw new ConfigException(name, problems);
    } catch (JsonMappingException e) {
      problems.add(path(e) + " has the wrong type or value: " + firstLine(e.getOriginalMessage()));
      throw new ConfigException(name, problems);
    } catch (IOException e) {
      problems.add(firstLine(e.getMessage()));
      throw new ConfigException(name, problems);
    }
    List<String> shapeProblems = List.copyOf(problems);
    for (String rule : config.problems()) {
      String path = rule.split(" ", 2)[0];
      if (shapeProblems.stream().noneMatch(p -> p.startsWith(path + " ") || p.startsWith(path + "."))) {
        problems.add(asWritten(rule, path, root, envByPath));
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(name, problems);
    }
    return config;
  }

  private static void applyEnv(ObjectNode root, Map<String, String> env, List<String> problems,
      Map<String, String> envByPath) {
    for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
      if (!e.getKey().startsWith(ENV_PREFIX)) {
        continue;
      }
      String[] parts = e.getKey().substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).split("_");
      String[] path = new String[1];
      if (set(root, parts, 0, e.getValue(), "", path)) {
        envByPath.put(path[0], e.getKey() + "=" + e.getValue());
      } else {
        problems.add("environment variable " + e.getKey() + " names no configuration key (it"
            + " would be " + ENV_PREFIX + "KEY_PATH, e.g. MIXRELAY_SERVER_PORT for server.port)");
      }
    }
  }

  /**
   * The rule's message with its ", was X" as the value was written (a duration {@code 48h} stays
   * {@code 48h}), and the environment variable named when one set the key.
   */
  private static String asWritten(String rule, String path, ObjectNode root,
      Map<String, String> envByPath) {
    String out = rule;
    JsonNode node = at(root, path);
    int was = rule.lastIndexOf(", was ");
    if (node != null && node.isTextual() && was > 0) {
      String shown = rule.substring(was + 6);
      try {
        if (Durations.parse(shown).equals(Durations.parse(node.asText()))) {
          out = rule.substring(0, was + 6) + node.asText().trim();
        }
      } catch (IllegalArgumentException notADuration) {
        // keep the rule's own rendering
      }
    }
    String env = envByPath.get(path);
    return env == null ? out : out.replaceFirst(java.util.regex.Pattern.quote(path),
        java.util.regex.Matcher.quoteReplacement(path + " (set by environment variable "
            + env.split("=", 2)[0] + ")"));
  }

  /** The node at a path such as {@code sources[0].writeKey}, or null. */
  private static JsonNode at(JsonNode root, String path) {
    JsonNode n = root;
    for (String part : path.split("\\.")) {
      int bracket = part.indexOf('[');
      String key = bracket < 0 ? part : part.substring(0, bracket);
      n = n == null ? null : n.get(key);
      while (n != null && bracket >= 0) {
        int close = part.indexOf(']', bracket);
        if (close < 0) {
          return null;
        }
        n = n.get(Integer.parseInt(part.substring(bracket + 1, close)));
        bracket = part.indexOf('[', close);
      }
    }
    return n;
  }

  /** Sets the value at the path made of parts[i..], joining parts with '_' where keys contain it. */
  private static boolean set(JsonNode node, String[] parts, int i, String value, String at,
      String[] path) {
    if (node instanceof ArrayNode arr) {
      if (!parts[i].chars().allMatch(Character::isDigit)) {
        return false;
      }
      int idx = Integer.parseInt(parts[i]);
      if (idx >= arr.size() || i == parts.length - 1) {
        return false;
      }
      return set(arr.get(idx), parts, i + 1, value, at + "[" + idx + "]", path);
    }
    if (!(node instanceof ObjectNode obj)) {
      return false;
    }
    for (int j = parts.length; j > i; j--) {
      String candidate = String.join("_", java.util.Arrays.copyOfRange(parts, i, j));
      String existing = findKey(obj, candidate);
      if (j == parts.length) {
        String key = existing != null ? existing : KNOWN_KEYS.get(candidate);
        if (key != null) {
          obj.set(key, scalar(value));
          path[0] = at.isEmpty() ? key : at + "." + key;
          return true;
        }
      } else if (existing != null) {
        JsonNode child = obj.get(existing);
        if (child == null || child.isNull()) {
          child = obj.putObject(existing);
        }
        if (set(child, parts, j, value, at.isEmpty() ? existing : at + "." + existing, path)) {
          return true;
        }
      } else if (KNOWN_KEYS.containsKey(candidate) && j == i + 1) {
        String known = KNOWN_KEYS.get(candidate);
        if (set(obj.putObject(known), parts, j, value, at.isEmpty() ? known : at + "." + known,
            path)) {
          return true;
        }
        obj.remove(KNOWN_KEYS.get(candidate));
      }
    }
    return false;
  }

  private static String findKey(ObjectNode obj, String lower) {
    Iterator<String> names = obj.fieldNames();
    while (names.hasNext()) {
      String n = names.next();
      if (n.toLowerCase(Locale.ROOT).equals(lower)) {
        return n;
      }
    }
    return null;
  }

  private static JsonNode scalar(String value) {
    try {
      JsonNode n = YAML.readTree(value);
      return n != null && n.isValueNode() ? n : JsonNodeFactory.instance.textNode(value);
    } catch (IOException e) {
      return JsonNodeFactory.instance.textNode(value);
    }
  }

  private static Map<String, String> knownKeys() {
    Map<String, String> keys = new TreeMap<>();
    for (Class<?> c : List.of(RelayConfig.class, ServerConfig.class, StorageConfig.class,
        SourceConfig.class, DestinationConfig.class, ServerConfig.TlsConfig.class, DestinationConfig.ServiceAccountConfig.class,
        MixpanelSettings.class, SessionConfig.class, DeliveryConfig.class, AdminConfig.class,
        LoggingConfig.class, MockConfig.class, KafkaConfig.class, DedupConfig.class)) {
      for (var rc : c.getRecordComponents()) {
        keys.put(rc.getName().toLowerCase(Locale.ROOT), rc.getName());
      }
    }
    return keys;
  }

  private static String path(JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getFieldName() != null) {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        sb.append('[').append(r.getIndex()).append(']');
      }
    }
    return sb.length() == 0 ? "the top level" : sb.toString();
  }

  private static String known(UnrecognizedPropertyException e) {
    List<String> names = new ArrayList<>();
    e.getKnownPropertyIds().forEach(o -> names.add(String.valueOf(o)));
    names.sort(null);
    return String.join(", ", names);
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "unknown error";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  /** Reads the session mode; YAML 1.1 reads a bare {@code off} as false, which means off here. */
  private static final class SessionModeDeserializer extends StdScalarDeserializer<SessionConfig.Mode> {
    SessionModeDeserializer() {
      super(SessionConfig.Mode.class);
    }

    @Override
    public SessionConfig.Mode deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
      if (p.currentToken() == com.fasterxml.jackson.core.JsonToken.VALUE_FALSE) {
        return SessionConfig.Mode.off;
      }
      String text = p.getValueAsString();
      for (SessionConfig.Mode m : SessionConfig.Mode.values()) {
        if (m.name().equalsIgnoreCase(text)) {
          return m;
        }
      }
      throw JsonMappingException.from(p, "must be one of timeout, event, property, off, was '" + text + "'");
    }
  }

  /** Reads {@code 30m}-style durations. */
  private static final class DurationDeserializer extends StdScalarDeserializer<Duration> {
    DurationDeserializer() {
      super(Duration.class);
    }

    @Override
    public Duration deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
      String text = p.getValueAsString();
      if (text == null) {
        return (Duration) ctx.handleUnexpectedToken(Duration.class, p);
      }
      try {
        return Durations.parse(text);
      } catch (IllegalArgumentException e) {
        throw JsonMappingException.from(p, e.getMessage());
      }
    }
  }
}
