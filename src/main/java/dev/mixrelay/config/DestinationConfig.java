package dev.mixrelay.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.mixrelay.mixpanel.Credentials;
import dev.mixrelay.mixpanel.Region;

/**
 * One Mixpanel project to deliver to. {@link #toString()} never shows a secret.
 *
 * @param apiHost overrides the region's host ({@code http://127.0.0.1:9090} for a mock, or
 *     {@code embedded-mock} for the mock started in-process)
 */
public record DestinationConfig(
    String name,
    String token,
    String apiSecret,
    ServiceAccountConfig serviceAccount,
    String projectId,
    Region region,
    String apiHost,
    MixpanelSettings settings,
    SessionConfig sessions,
    DeliveryConfig delivery) {

  /** The apiHost value that starts the mock Mixpanel inside the relay. */
  public static final String EMBEDDED_MOCK = "embedded-mock";

  /** A Mixpanel service account. */
  public record ServiceAccountConfig(String username, String secret) {
    @Override
    public String toString() {
      return "ServiceAccount[username=" + username + ", secret=***]";
    }
  }

  public DestinationConfig {
    settings = settings == null ? MixpanelSettings.defaults() : settings;
    region = region == null ? (settings.enableEuropeanUnionEndpoint() ? Region.EU : Region.US) : region;
    sessions = sessions == null ? SessionConfig.defaults() : sessions;
    delivery = delivery == null ? DeliveryConfig.defaults() : delivery;
  }

  /** This destination sending to another base URL. */
  public DestinationConfig withApiHost(String host) {
    return new DestinationConfig(name, token, apiSecret, serviceAccount, projectId, region, host,
        settings, sessions, delivery);
  }

  /** The credentials Mixpanel gets: service account, else API secret, else token. */
  @JsonIgnore
  public Credentials credentials() {
    if (serviceAccount != null) {
      return new Credentials.ServiceAccount(serviceAccount.username(), serviceAccount.secret(), projectId);
    }
    if (apiSecret != null && !apiSecret.isBlank()) {
      return new Credentials.ApiSecret(apiSecret);
    }
    return new Credentials.TokenOnly(token);
  }

  /** The key that, with the message id and event name, names each {@code $insert_id}. */
  @JsonIgnore
  public String projectKey() {
    return projectId != null && !projectId.isBlank() ? projectId : token;
  }

  /** The base URL records are sent to: {@code apiHost} when set, else the region's host. */
  @JsonIgnore
  public String baseUrl() {
    return apiHost != null && !apiHost.isBlank() ? apiHost : region.host();
  }

  void check(String path, Checks c) {
    c.require(token != null && !token.isBlank(), path + ".token", "is required (the Mixpanel project token)", null);
    if (serviceAccount != null) {
      c.require(serviceAccount.username() != null && !serviceAccount.username().isBlank(),
          path + ".serviceAccount.username", "is required", null);
      c.require(serviceAccount.secret() != null && !serviceAccount.secret().isBlank(),
          path + ".serviceAccount.secret", "is required", null);
      c.require(projectId != null && !projectId.isBlank(), path + ".projectId",
          "is required with a service account", null);
    }
    if (settings.enableEuropeanUnionEndpoint() && region != Region.EU) {
      c.add(path + ".settings.enableEuropeanUnionEndpoint is true but " + path + ".region is " + region);
    }
    if (apiHost != null && !apiHost.isBlank() && !EMBEDDED_MOCK.equals(apiHost)) {
      c.require(apiHost.startsWith("http://") || apiHost.startsWith("https://"), path + ".apiHost",
          "must start with http:// or https:// (or be embedded-mock)", apiHost);
    }
    settings.check(path + ".settings", c);
    sessions.check(path + ".sessions", c);
    delivery.check(path + ".delivery", c);
  }

  @Override
  public String toString() {
    return "DestinationConfig[name=" + name + ", credentials=" + credentials() + ", region=" + region
        + ", apiHost=" + apiHost + ", settings=" + settings + ", sessions=" + sessions
        + ", delivery=" + delivery + "]";
  }
}
