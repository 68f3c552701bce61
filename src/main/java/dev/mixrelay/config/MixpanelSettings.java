package dev.mixrelay.config;

import java.util.List;
import java.util.UUID;

/**
 * Segment's Mixpanel destination settings, with Segment's names so a user can copy them over,
 * plus mixrelay's own ({@code pageCalls}, {@code identityMerge}, {@code insertIdNamespace},
 * {@code groupAttribution}, {@code compat} and the behaviours it defaults: {@code
 * groupKeyFallback}, {@code mpLibPrefix}, {@code generatePurchaseEventPerProduct}, {@code
 * actionsEventProperties}, {@code idProperty}, {@code incrementProperties}) and the legacy integration's own shapes, each
 * off unless set ({@code genericPageName}, {@code nameTag}, {@code legacyPropertyNames},
 * {@code legacyDeviceProperties}, {@code legacyProfileFields}, {@code chargesWithoutPeople}).
 */
public record MixpanelSettings(
    Boolean consolidatedPageCalls,
    Boolean trackAllPages,
    Boolean trackCategorizedPages,
    Boolean trackNamedPages,
    PageCalls pageCalls,
    Boolean people,
    Boolean setAllTraitsByDefault,
    List<String> peopleProperties,
    List<String> superProperties,
    List<String> eventIncrements,
    List<String> propIncrements,
    List<String> groupIdentifierTraits,
    List<String> groupTraitsToSetOnce,
    Boolean legacySuperProperties,
    String sourceName,
    Boolean enableEuropeanUnionEndpoint,
    IdentityMerge identityMerge,
    UUID insertIdNamespace,
    Boolean strictMode,
    Compat compat,
    Boolean groupAttribution,
    Boolean groupKeyFallback,
    String mpLibPrefix,
    Boolean generatePurchaseEventPerProduct,
    Boolean actionsEventProperties,
    Boolean genericPageName,
    Boolean nameTag,
    Boolean idProperty,
    Boolean legacyPropertyNames,
    Boolean legacyDeviceProperties,
    Boolean legacyProfileFields,
    Boolean incrementProperties,
    Boolean chargesWithoutPeople) {

  /**
   * The default namespace of {@code $insert_id} UUIDv5s (a fixed random UUID, documented in the
   * README); change it only to make a second relay's ids disjoint from the first's.
   */
  public static final UUID DEFAULT_INSERT_ID_NAMESPACE =
      UUID.fromString("6f1c1f3e-6b1a-5d3c-9a57-3c1b8e2f4d60");

  /** How page and screen calls become events when more than one naming option is on. */
  public enum PageCalls {
    /** One event per call, the first matching option wins. */
    first_match,
    /** One event per matching option, as Segment's cloud mode does. */
    each
  }

  /**
   * Which Segment Mixpanel destination's records to make by default: each behaviour below is a
   * setting of its own that the preset only defaults.
   */
  public enum Compat {
    /** Segment's legacy (classic) Mixpanel destination, plus mixrelay's documented choices. */
    legacy,
    /** Segment's Mixpanel (Actions) destination with its default mappings. */
    actions
  }

  /** Mixpanel identity management. */
  public enum IdentityMerge { simplified, original }

  public MixpanelSettings {
    consolidatedPageCalls = consolidatedPageCalls == null || consolidatedPageCalls;
    trackAllPages = trackAllPages != null && trackAllPages;
    trackCategorizedPages = trackCategorizedPages != null && trackCategorizedPages;
    trackNamedPages = trackNamedPages != null && trackNamedPages;
    pageCalls = pageCalls == null ? PageCalls.first_match : pageCalls;
    people = people == null || people;
    setAllTraitsByDefault = setAllTraitsByDefault == null || setAllTraitsByDefault;
    peopleProperties = peopleProperties == null ? List.of() : List.copyOf(peopleProperties);
    superProperties = superProperties == null ? List.of() : List.copyOf(superProperties);
    eventIncrements = eventIncrements == null ? List.of() : List.copyOf(eventIncrements);
    propIncrements = propIncrements == null ? List.of() : List.copyOf(propIncrements);
    groupIdentifierTraits = groupIdentifierTraits == null ? List.of() : List.copyOf(groupIdentifierTraits);
    groupTraitsToSetOnce = groupTraitsToSetOnce == null ? List.of() : List.copyOf(groupTraitsToSetOnce);
    legacySuperProperties = legacySuperProperties != null && legacySuperProperties;
    enableEuropeanUnionEndpoint = enableEuropeanUnionEndpoint != null && enableEuropeanUnionEndpoint;
    identityMerge = identityMerge == null ? IdentityMerge.simplified : identityMerge;
    insertIdNamespace = insertIdNamespace == null ? DEFAULT_INSERT_ID_NAMESPACE : insertIdNamespace;
    strictMode = strictMode == null || strictMode;
    compat = compat == null ? Compat.legacy : compat;
    boolean actions = compat == Compat.actions;
    groupAttribution = groupAttribution == null ? !groupIdentifierTraits.isEmpty() : groupAttribution;
    groupKeyFallback = groupKeyFallback == null ? actions : groupKeyFallback;
    mpLibPrefix = mpLibPrefix == null ? (actions ? "Segment Actions: " : "Segment: ") : mpLibPrefix;
    generatePurchaseEventPerProduct = generatePurchaseEventPerProduct == null ? actions
        : generatePurchaseEventPerProduct;
    actionsEventProperties = actionsEventProperties == null ? actions : actionsEventProperties;
    // the legacy integration's own shapes: off under both presets (on, they would change what
    // today's legacy preset sends), except the id property the Actions destination also sends
    genericPageName = genericPageName != null && genericPageName;
    nameTag = nameTag != null && nameTag;
    idProperty = idProperty == null ? actions : idProperty;
    legacyPropertyNames = legacyPropertyNames != null && legacyPropertyNames;
    legacyDeviceProperties = legacyDeviceProperties != null && legacyDeviceProperties;
    legacyProfileFields = legacyProfileFields != null && legacyProfileFields;
    incrementProperties = incrementProperties == null ? actions : incrementProperties;
    chargesWithoutPeople = chargesWithoutPeople != null && chargesWithoutPeople;
  }

  /** Every setting up to the compat preset's first behaviours; the later ones default. */
  public MixpanelSettings(Boolean consolidatedPageCalls, Boolean trackAllPages,
      Boolean trackCategorizedPages, Boolean trackNamedPages, PageCalls pageCalls, Boolean people,
      Boolean setAllTraitsByDefault, List<String> peopleProperties, List<String> superProperties,
      List<String> eventIncrements, List<String> propIncrements,
      List<String> groupIdentifierTraits, List<String> groupTraitsToSetOnce,
      Boolean legacySuperProperties, String sourceName, Boolean enableEuropeanUnionEndpoint,
      IdentityMerge identityMerge, UUID insertIdNamespace, Boolean strictMode, Compat compat,
      Boolean groupAttribution, Boolean groupKeyFallback, String mpLibPrefix,
      Boolean generatePurchaseEventPerProduct, Boolean actionsEventProperties) {
    this(consolidatedPageCalls, trackAllPages, trackCategorizedPages, trackNamedPages, pageCalls,
        people, setAllTraitsByDefault, peopleProperties, superProperties, eventIncrements,
        propIncrements, groupIdentifierTraits, groupTraitsToSetOnce, legacySuperProperties,
        sourceName, enableEuropeanUnionEndpoint, identityMerge, insertIdNamespace, strictMode,
        compat, groupAttribution, groupKeyFallback, mpLibPrefix, generatePurchaseEventPerProduct,
        actionsEventProperties, null, null, null, null, null, null, null, null);
  }

  /** The settings of Segment's legacy destination and mixrelay's first own ones; the rest default. */
  public MixpanelSettings(Boolean consolidatedPageCalls, Boolean trackAllPages,
      Boolean trackCategorizedPages, Boolean trackNamedPages, PageCalls pageCalls, Boolean people,
      Boolean setAllTraitsByDefault, List<String> peopleProperties, List<String> superProperties,
      List<String> eventIncrements, List<String> propIncrements,
      List<String> groupIdentifierTraits, List<String> groupTraitsToSetOnce,
      Boolean legacySuperProperties, String sourceName, Boolean enableEuropeanUnionEndpoint,
      IdentityMerge identityMerge, UUID insertIdNamespace, Boolean strictMode) {
    this(consolidatedPageCalls, trackAllPages, trackCategorizedPages, trackNamedPages, pageCalls,
        people, setAllTraitsByDefault, peopleProperties, superProperties, eventIncrements,
        propIncrements, groupIdentifierTraits, groupTraitsToSetOnce, legacySuperProperties,
        sourceName, enableEuropeanUnionEndpoint, identityMerge, insertIdNamespace, strictMode,
        null, null, null, null, null, null, null, null, null, null, null, null, null, null);
  }

  /** All defaults. */
  public static MixpanelSettings defaults() {
    return new MixpanelSettings(null, null, null, null, null, null, null, null, null, null, null,
        null, null, null, null, null, null, null, null, null, null, null, null, null, null);
  }

  void check(String path, Checks c) {
    // every value is typed and defaulted; nothing else can be wrong here yet
  }
}
