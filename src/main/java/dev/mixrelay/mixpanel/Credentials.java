package dev.mixrelay.mixpanel;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * How a destination authenticates to Mixpanel: a service account, the project's API secret, or
 * only the project token. {@link #toString()} never shows a secret.
 */
public sealed interface Credentials {

  /** The value of the {@code Authorization} header. */
  String authorizationHeader();

  /** The project id to add as {@code project_id} to {@code /import}, or null. */
  default String projectId() {
    return null;
  }

  /** Service account {@code username:secret}, with the project id. */
  record ServiceAccount(String username, String secret, String projectId) implements Credentials {
    @Override
    public String authorizationHeader() {
      return basic(username + ":" + secret);
    }

    @Override
    public String toString() {
      return "ServiceAccount[username=" + username + ", secret=***, projectId=" + projectId + "]";
    }
  }

  /** The project's API secret as the Basic user name. */
  record ApiSecret(String secret) implements Credentials {
    @Override
    public String authorizationHeader() {
      return basic(secret + ":");
    }

    @Override
    public String toString() {
      return "ApiSecret[***]";
    }
  }

  /** Only the project token (accepted by {@code /import} for recent events). */
  record TokenOnly(String token) implements Credentials {
    @Override
    public String authorizationHeader() {
      return basic(token + ":");
    }

    @Override
    public String toString() {
      return "TokenOnly[***]";
    }
  }

  private static String basic(String userPass) {
    return "Basic " + Base64.getEncoder().encodeToString(userPass.getBytes(StandardCharsets.UTF_8));
  }
}
