package dev.mixrelay.translate;

import dev.mixrelay.mixpanel.MixpanelRecord;
import java.util.List;

/** The outcome of translating one Segment message for one destination: a closed set. */
public sealed interface Translation {

  /**
   * The records to send (possibly none, e.g. an identify with people off), the profile state the
   * relay must remember (super properties) or {@link ProfileUpdate#NONE}, the records Mixpanel
   * could never accept (for the dead-letter store, with the reason), and how many property names
   * or string values were cut to Mixpanel's 255 characters.
   */
  record Translated(List<MixpanelRecord> records, ProfileUpdate update,
      List<Rejected> rejected, int truncated) implements Translation {
    public Translated {
      records = List.copyOf(records);
      update = update == null ? ProfileUpdate.NONE : update;
      rejected = List.copyOf(rejected);
    }

    /** Records and an update, nothing rejected or truncated. */
    public Translated(List<MixpanelRecord> records, ProfileUpdate update) {
      this(records, update, List.of(), 0);
    }
  }

  /** A record that breaks a hard Mixpanel limit (1 MB, 255 properties), kept for dead letters. */
  record Rejected(MixpanelRecord record, String reason) {}

  /**
   * Deliberately not sent; counted by reason. The reason is one of the constants below, so it is
   * safe as a metric label.
   */
  record Skipped(String reason) implements Translation {
    /** The message's {@code integrations} object turns Mixpanel off. */
    public static final String INTEGRATIONS_OFF = "integrations_off";
    /** A page or screen call that no page option names. */
    public static final String NO_PAGE_OPTION = "no_page_option";
    /** A group call without any of the {@code groupIdentifierTraits}. */
    public static final String NO_GROUP_TRAIT = "no_group_trait";
    /** An identify with nothing to send or remember (people off, no traits, one id). */
    public static final String NOTHING_TO_SEND = "nothing_to_send";
  }

  /** Cannot be translated; dead-lettered with the field and the reason. */
  record Invalid(String field, String reason) implements Translation {}
}
