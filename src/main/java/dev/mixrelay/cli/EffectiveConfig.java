package dev.mixrelay.cli;

import dev.mixrelay.config.DestinationConfig;
import dev.mixrelay.config.Durations;
import dev.mixrelay.config.MixpanelSettings;
import dev.mixrelay.config.RelayConfig;
import dev.mixrelay.config.SessionConfig;
import dev.mixrelay.mixpanel.Credentials;

/** The start-up line describing the effective configuration, secrets masked. */
final class EffectiveConfig {
  private EffectiveConfig() {}

  static String describe(RelayConfig c) {
    StringBuilder sb = new StringBuilder();
    sb.append("server=").append(c.server().host()).append(':').append(c.server().port());
    if (c.engine() == RelayConfig.Engine.kafka) {
      sb.append(" engine=kafka role=").append(c.role())
          .append(" brokers=").append(c.kafka().bootstrapServers())
          .append(" intakeTopic=").append(c.kafka().intakeTopic())
          .append(" partitions=").append(c.kafka().partitions())
          .append(" replicationFactor=").append(c.kafka().replicationFactor());
    } else {
      sb.append(" storage=").append(c.storage().dir()).append(" fsync=").append(c.storage().fsync())
          .append(" maxLogBytes=").append(c.storage().maxLogBytes());
    }
    sb.append(" sources=[");
    c.sources().forEach(s -> sb.append(s.name()).append("->").append(String.join("+", s.destinationNames()))
        .append(s.webhookSecret() == null ? "" : "(signed)").append(' '));
    sb.append("] destinations=[");
    c.destinations().values().forEach(d -> sb.append(d.name()).append(" region=").append(d.region())
        .append(" apiHost=").append(d.apiHost() == null ? "-" : d.apiHost())
        .append(" auth=").append(d.credentials().getClass().getSimpleName())
        .append(" sessions=").append(d.sessions().mode()).append(' '));
    sb.append("] admin=").append(c.admin().enabled() ? "on" : "off");
    return sb.toString();
  }

  /** One paragraph on what the relay will do for destination {@code d}, secrets masked. */
  static String plan(RelayConfig c, DestinationConfig d) {
    StringBuilder sb = new StringBuilder("destination ").append(d.name()).append(":\n");
    if (DestinationConfig.EMBEDDED_MOCK.equals(d.apiHost())) {
      sb.append("  sends to:  the embedded mock Mixpanel at http://").append(c.mock().host())
          .append(':').append(c.mock().port()).append(" inside the relay; what it receives is gone"
              + " when the relay stops (not real Mixpanel)\n");
    } else if (d.apiHost() != null && !d.apiHost().isBlank()) {
      sb.append("  sends to:  ").append(d.apiHost()).append(" (apiHost; not the region's host)\n");
    } else {
      sb.append("  sends to:  Mixpanel ").append(d.region()).append(" at ").append(d.baseUrl())
          .append(" (/import?strict=").append(d.settings().strictMode() ? 1 : 0)
          .append(", /engage, /groups)\n");
    }
    sb.append("  auth:      ").append(auth(d)).append('\n');
    sb.append("  identity:  ").append(d.settings().identityMerge()).append(
        d.settings().identityMerge() == MixpanelSettings.IdentityMerge.simplified
            ? " ID merge ($device_id / $user_id)" : " (distinct_id = userId or anonymousId;"
            + " $identify and $create_alias)").append('\n');
    SessionConfig s = d.sessions();
    sb.append("  sessions:  ").append(switch (s.mode()) {
      case timeout -> "timeout " + Durations.format(s.timeout()) + ", cut at midnight "
          + s.timezone();
      case event -> "from event '" + s.startEvent() + "' to '" + s.endEvent() + "', cut at"
          + " midnight " + s.timezone();
      case property -> "by property '" + s.sessionIdProperty() + "', cut at midnight "
          + s.timezone();
      case off -> "off";
    }).append(s.mode() == SessionConfig.Mode.off ? "" : " (\"" + s.startEventName() + "\" / \""
        + s.endEventName() + "\" events, allowed lateness "
        + Durations.format(s.allowedLateness()) + ")").append('\n');
    sb.append("  people:    ").append(d.settings().people() ? "profiles via /engage" : "off")
        .append(d.settings().groupIdentifierTraits().isEmpty() ? ", group calls skipped"
            + " (no settings.groupIdentifierTraits)" : ", groups by "
            + d.settings().groupIdentifierTraits()).append('\n');
    sb.append("  compat:    Segment's legacy Mixpanel destination (page calls: ")
        .append(d.settings().pageCalls()).append(d.settings().consolidatedPageCalls()
            ? ", consolidated" : "").append(')');
    return sb.toString();
  }

  private static String auth(DestinationConfig d) {
    Credentials cr = d.credentials();
    if (cr instanceof Credentials.ServiceAccount) {
      return "service account " + d.serviceAccount().username() + " (secret ***), project "
          + d.projectId();
    } else if (cr instanceof Credentials.ApiSecret) {
      return "project API secret (***)";
    }
    return "project token only (***)";
  }
}
