package dev.mixrelay.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Maps a Segment {@code context} to Mixpanel's current event property names (the table in the
 * README, "What lands in Mixpanel"). Only scalar values are copied; absent, null or nested
 * values leave the property out.
 */
final class ContextProperties {
  private ContextProperties() {}

  static void put(ObjectNode context, String sourceName, ObjectNode out) {
    put(context, sourceName, "Segment: ", false, out);
  }

  /**
   * As {@link #put(ObjectNode, String, ObjectNode)}, with {@code mp_lib}'s prefix and, for
   * {@code actionsEventProperties}, the properties Segment's Actions destination adds:
   * {@code $locale}, {@code $lib_version}, {@code $source} "segment", {@code timezone}.
   */
  static void put(ObjectNode context, String sourceName, String mpLibPrefix, boolean actions,
      ObjectNode out) {
    String library = context == null ? null : text(context.path("library").get("name"));
    out.put("mp_lib", mpLibPrefix + (library == null ? "unknown" : library));
    if (actions) {
      out.put("$source", "segment");
      if (context != null) {
        copyNonEmpty(context.get("locale"), "$locale", out);
        copyNonEmpty(context.path("library").get("version"), "$lib_version", out);
        copyNonEmpty(context.get("timezone"), "timezone", out);
      }
    }
    if (sourceName != null && !sourceName.isBlank()) {
      out.put("segment_source_name", sourceName);
    }
    if (context == null) {
      return;
    }
    copyNonEmpty(context.get("ip"), "ip", out);
    JsonNode app = context.path("app");
    copy(app.get("version"), "$app_version_string", out);
    copy(app.get("build"), "$app_build_number", out);
    copyNonEmpty(app.get("name"), "$app_name", out);
    copyNonEmpty(app.get("namespace"), "$app_namespace", out);
    JsonNode device = context.path("device");
    copy(device.get("name"), "$device", out);
    copy(device.get("manufacturer"), "$manufacturer", out);
    copy(device.get("model"), "$model", out);
    JsonNode os = context.path("os");
    copyNonEmpty(os.get("name"), "$os", out);
    copy(os.get("version"), "$os_version", out);
    JsonNode network = context.path("network");
    copy(network.get("carrier"), "$carrier", out);
    copy(network.get("wifi"), "$wifi", out);
    JsonNode screen = context.path("screen");
    copy(screen.get("height"), "$screen_height", out);
    copy(screen.get("width"), "$screen_width", out);
    JsonNode page = context.path("page");
    copy(page.get("url"), "$current_url", out);
    if (!copyNonEmpty(page.get("referrer"), "$referrer", out)) {
      copyNonEmpty(context.path("referrer").get("url"), "$referrer", out);
    }
    JsonNode location = context.path("location");
    copy(location.get("city"), "$city", out);
    copy(location.get("region"), "$region", out);
    copy(location.get("country"), "mp_country_code", out);
    JsonNode campaign = context.path("campaign");
    copy(campaign.get("name"), "utm_campaign", out);
    copy(campaign.get("source"), "utm_source", out);
    copy(campaign.get("medium"), "utm_medium", out);
    copy(campaign.get("term"), "utm_term", out);
    copy(campaign.get("content"), "utm_content", out);
    String userAgent = text(context.get("userAgent"));
    if (userAgent != null) {
      UserAgents.Parsed ua = UserAgents.parse(userAgent);
      if (ua.browser() != null) {
        out.put("$browser", ua.browser());
        if (ua.browserVersion() != null) {
          out.put("$browser_version", ua.browserVersion());
        }
      }
      if (ua.os() != null && !out.has("$os")) {
        out.put("$os", ua.os());
      }
    }
  }

  /**
   * The device and user-agent part of the context, as profiles take it ({@code /engage}
   * {@code $set} of an identify): {@code $browser}, {@code $browser_version}, {@code $os},
   * {@code $os_version}, {@code $device}, {@code $manufacturer}, {@code $model},
   * {@code $carrier}, {@code $wifi}, {@code $screen_height}, {@code $screen_width},
   * {@code $app_version_string}, {@code $app_build_number}; a key {@code out} already has is
   * kept (traits win).
   */
  static void putDevice(ObjectNode context, ObjectNode out) {
    if (context == null) {
      return;
    }
    ObjectNode all = Call.newProperties();
    put(context, null, all);
    for (String key : DEVICE_KEYS) {
      JsonNode v = all.get(key);
      if (v != null && !out.has(key)) {
        out.set(key, v);
      }
    }
  }

  /**
   * The legacy integration's device names: {@code $app_release} (app.build), {@code
   * $app_version} (app.version) and, for {@code device.type} exactly "iOS" or "android", the
   * platform's own keys ({@code $ios_ifa}, {@code $ios_device_model}, … / {@code $android_os},
   * {@code $android_model}, …).
   */
  static void putLegacyDevice(ObjectNode context, ObjectNode out) {
    if (context == null) {
      return;
    }
    JsonNode app = context.path("app");
    JsonNode device = context.path("device");
    JsonNode os = context.path("os");
    JsonNode screen = context.path("screen");
    JsonNode network = context.path("network");
    copy(app.get("build"), "$app_release", out);
    copy(app.get("version"), "$app_version", out);
    String type = text(device.get("type"));
    if ("iOS".equals(type)) {
      copy(device.get("advertisingId"), "$ios_ifa", out);
      copy(device.get("model"), "$ios_device_model", out);
      copy(app.get("build"), "$ios_app_release", out);
      copy(app.get("version"), "$ios_app_version", out);
      copy(os.get("version"), "$ios_version", out);
    } else if ("android".equals(type)) {
      copy(screen.get("density"), "$screen_dpi", out);
      copy(network.get("bluetooth"), "$bluetooth_enabled", out);
      copy(network.get("cellular"), "$has_telephone", out);
      copy(app.get("version"), "$android_version_code", out);
      copy(app.get("version"), "$android_app_version", out);
      copy(os.get("name"), "$android_os", out);
      copy(os.get("version"), "$android_os_version", out);
      copy(device.get("model"), "$android_model", out);
      copy(device.get("manufacturer"), "$android_manufacturer", out);
    }
  }

  private static final String[] DEVICE_KEYS = {"$browser", "$browser_version", "$os",
      "$os_version", "$device", "$manufacturer", "$model", "$carrier", "$wifi", "$screen_height",
      "$screen_width", "$app_version_string", "$app_build_number"};

  /** Copies a scalar (value nodes are immutable, so sharing them is safe). */
  static void copy(JsonNode value, String key, ObjectNode out) {
    if (value != null && value.isValueNode() && !value.isNull()) {
      out.set(key, value);
    }
  }

  private static boolean copyNonEmpty(JsonNode value, String key, ObjectNode out) {
    if (value != null && value.isValueNode() && !value.isNull() && !value.asText().isEmpty()) {
      out.set(key, value);
      return true;
    }
    return false;
  }

  /** The text of a scalar, or null. */
  static String text(JsonNode value) {
    return value == null || !value.isValueNode() || value.isNull() ? null : value.asText();
  }
}
