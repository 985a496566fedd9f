//! Which source column feeds which canonical column (METRICS.md §1, §5).

use std::collections::BTreeMap;

use serde::Serialize;

/// Every canonical column, in the order of the metric contract's table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Canonical {
    Timestamp,
    ConversationId,
    Direction,
    ChatType,
    Sender,
    ContactId,
    Agent,
    Category,
    FollowupSeq,
    Status,
    Segment,
    GroupId,
    GroupMembers,
    Outcome,
    Value,
    ClosedAt,
    Blocked,
    Text,
    BroadcastId,
    /// Not a canonical column of the log: the `date` half of a date + time pair.
    Date,
    /// The `time` half of a date + time pair.
    Time,
    /// Not a canonical column either: a message's own id, which replies
    /// name. With [`Canonical::ReplyTo`] it threads a log that has no
    /// conversation column into conversations.
    MessageId,
    /// The id of the message a row answers.
    ReplyTo,
}

impl Canonical {
    pub const ALL: [Canonical; 19] = [
        Canonical::Timestamp,
        Canonical::ConversationId,
        Canonical::Direction,
        Canonical::ChatType,
        Canonical::Sender,
        Canonical::ContactId,
        Canonical::Agent,
        Canonical::Category,
        Canonical::FollowupSeq,
        Canonical::Status,
        Canonical::Segment,
        Canonical::GroupId,
        Canonical::GroupMembers,
        Canonical::Outcome,
        Canonical::Value,
        Canonical::ClosedAt,
        Canonical::Blocked,
        Canonical::Text,
        Canonical::BroadcastId,
    ];

    /// Columns that are not the log's own but stand in for one: a date +
    /// time pair for the timestamp, reply chains for the conversation.
    pub const HELPERS: [Canonical; 4] = [
        Canonical::Date,
        Canonical::Time,
        Canonical::MessageId,
        Canonical::ReplyTo,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Canonical::Timestamp => "timestamp",
            Canonical::ConversationId => "conversation_id",
            Canonical::Direction => "direction",
            Canonical::ChatType => "chat_type",
            Canonical::Sender => "sender",
            Canonical::ContactId => "contact_id",
            Canonical::Agent => "agent",
            Canonical::Category => "category",
            Canonical::FollowupSeq => "followup_seq",
            Canonical::Status => "status",
            Canonical::Segment => "segment",
            Canonical::GroupId => "group_id",
            Canonical::GroupMembers => "group_members",
            Canonical::Outcome => "outcome",
            Canonical::Value => "value",
            Canonical::ClosedAt => "closed_at",
            Canonical::Blocked => "blocked",
            Canonical::Text => "text",
            Canonical::BroadcastId => "broadcast_id",
            Canonical::Date => "date",
            Canonical::Time => "time",
            Canonical::MessageId => "message_id",
            Canonical::ReplyTo => "reply_to",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        let n = normalize_header(name);
        Self::ALL
            .into_iter()
            .chain(Self::HELPERS)
            .find(|c| normalize_header(c.name()) == n)
    }

    /// Whether a header names this column, by its own name or an alias.
    pub fn is_named(self, header: &str) -> bool {
        let h = normalize_header(header);
        h == normalize_header(self.name()) || self.aliases().contains(&h.as_str())
    }

    /// Header aliases in the contract's order of preference (normalised).
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Canonical::Timestamp => &[
                "time",
                "datetime",
                "datetime",
                "sentat",
                "createdat",
                "ts",
                "messagetime",
            ],
            Canonical::ConversationId => {
                &["chatid", "threadid", "conversation", "chat", "ticketid"]
            }
            Canonical::Direction => &[
                "dir",
                "msgdirection",
                "fromme",
                "isoutgoing",
                "outgoing",
                "type",
                "inbound",
                "isinbound",
            ],
            Canonical::ChatType => &["conversationtype", "chatkind", "kind"],
            Canonical::Sender => &["author", "from", "user", "name"],
            Canonical::ContactId => &["customerid", "leadid", "phone", "contact"],
            Canonical::Agent => &["agentid", "owner", "rep", "userid"],
            Canonical::Category => &["messagetype", "msgcategory"],
            Canonical::FollowupSeq => &["sequenceposition", "step", "followupnumber"],
            Canonical::Status => &["deliverystatus", "state"],
            Canonical::Segment => &["tier", "customersegment", "plan"],
            Canonical::GroupId => &["group", "groupname"],
            Canonical::GroupMembers => &["membercount", "members"],
            Canonical::Outcome => &["result", "dealstage", "resolution"],
            Canonical::Value => &["dealvalue", "revenue", "amount"],
            Canonical::ClosedAt => &["resolvedat", "closed", "resolutiontime"],
            Canonical::Blocked => &["isblocked"],
            Canonical::Text => &["message", "body", "content"],
            Canonical::BroadcastId => &["campaignid", "campaign"],
            Canonical::Date | Canonical::Time => &[],
            // Checked in this order: the first found is taken.
            Canonical::MessageId => &["messageid", "msgid", "tweetid", "statusid", "id", "idstr"],
            Canonical::ReplyTo => &[
                "replyto",
                "replytoid",
                "replytomessageid",
                "inreplyto",
                "inreplytoid",
                "inreplytostatusid",
                "inreplytostatusidstr",
                "inresponseto",
                "inresponsetotweetid",
                "parentid",
                "parentmessageid",
            ],
        }
    }
}

/// Lowercase, without spaces, `_` and `-` (and a BOM some tools leave).
pub fn normalize_header(h: &str) -> String {
    h.trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-' | '\t' | '\u{a0}'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The chosen mapping: canonical column → index of the source column.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ColumnMapping {
    pub columns: BTreeMap<Canonical, usize>,
    /// True when the direction column has the opposite sense (`inbound`).
    pub direction_inverted: bool,
}

impl ColumnMapping {
    pub fn get(&self, c: Canonical) -> Option<usize> {
        self.columns.get(&c).copied()
    }

    pub fn has(&self, c: Canonical) -> bool {
        self.columns.contains_key(&c)
    }

    /// Canonical name → source header, for reports.
    pub fn describe(&self, headers: &[String]) -> BTreeMap<String, String> {
        self.columns
            .iter()
            .map(|(c, &i)| (c.name().to_string(), headers[i].clone()))
            .collect()
    }
}

/// A `--map canonical="Source header"` override.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapOverride {
    pub canonical: Canonical,
    pub source: String,
}

impl std::str::FromStr for MapOverride {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (left, right) = s
            .split_once('=')
            .ok_or_else(|| format!("expected canonical=\"Source column\", got {s:?}"))?;
        let canonical = Canonical::from_name(left).ok_or_else(|| {
            format!(
                "{left:?} is not a canonical column (expected one of: {})",
                Canonical::ALL.map(Canonical::name).join(", ")
            )
        })?;
        // An empty source says the file has no such column: no header is
        // taken for it by name or alias.
        let source = right.trim().trim_matches('"').to_string();
        Ok(Self { canonical, source })
    }
}

/// Maps headers to canonical columns: overrides first, then exact canonical
/// names, then aliases in the contract's order; one source column feeds one
/// canonical column. An override with an empty source keeps its canonical
/// column unmapped.
pub fn map_headers(headers: &[String], overrides: &[MapOverride]) -> Result<ColumnMapping, String> {
    let normalized: Vec<String> = headers.iter().map(|h| normalize_header(h)).collect();
    let mut taken = vec![false; headers.len()];
    let mut mapping = ColumnMapping::default();
    let absent: Vec<Canonical> = overrides
        .iter()
        .filter(|o| o.source.is_empty())
        .map(|o| o.canonical)
        .collect();

    for o in overrides.iter().filter(|o| !o.source.is_empty()) {
        let want = normalize_header(&o.source);
        let idx = headers
            .iter()
            .position(|h| h.trim() == o.source)
            .or_else(|| normalized.iter().position(|h| *h == want))
            .ok_or_else(|| {
                format!(
                    "--map {}={:?}: the file has no column {:?} (its columns: {})",
                    o.canonical.name(),
                    o.source,
                    o.source,
                    headers.join(", ")
                )
            })?;
        mapping.columns.insert(o.canonical, idx);
        taken[idx] = true;
        if o.canonical == Canonical::Direction {
            mapping.direction_inverted =
                matches!(normalized[idx].as_str(), "inbound" | "isinbound");
        }
    }

    // Exact canonical names beat every alias.
    for c in Canonical::ALL {
        if mapping.has(c) || absent.contains(&c) {
            continue;
        }
        let want = normalize_header(c.name());
        if let Some(idx) = (0..headers.len()).find(|&i| !taken[i] && normalized[i] == want) {
            mapping.columns.insert(c, idx);
            taken[idx] = true;
        }
    }
    let has_date_column = normalized.iter().any(|n| n == "date");
    for c in Canonical::ALL {
        if mapping.has(c) || absent.contains(&c) {
            continue;
        }
        for alias in c.aliases() {
            // `time` beside a `date` column is half of a pair, not a timestamp.
            if c == Canonical::Timestamp && *alias == "time" && has_date_column {
                continue;
            }
            if let Some(idx) = (0..headers.len()).find(|&i| !taken[i] && normalized[i] == *alias) {
                mapping.columns.insert(c, idx);
                taken[idx] = true;
                if c == Canonical::Direction {
                    mapping.direction_inverted = matches!(*alias, "inbound" | "isinbound");
                }
                break;
            }
        }
    }
    // A date + time pair stands in only when no timestamp column exists.
    if !mapping.has(Canonical::Timestamp) && !absent.contains(&Canonical::Timestamp) {
        let date = (0..headers.len()).find(|&i| !taken[i] && normalized[i] == "date");
        let time = (0..headers.len()).find(|&i| !taken[i] && normalized[i] == "time");
        match (date, time) {
            (Some(d), Some(t)) => {
                mapping.columns.insert(Canonical::Date, d);
                mapping.columns.insert(Canonical::Time, t);
            }
            (Some(d), None) => {
                // A lone `date` column is still a timestamp (midnight).
                mapping.columns.insert(Canonical::Timestamp, d);
            }
            _ => {}
        }
    }
    // Reply chains stand in only when no conversation or contact column
    // exists, and only as a pair: a message id alone says nothing of
    // threads.
    let no_conversation = [Canonical::ConversationId, Canonical::ContactId]
        .iter()
        .all(|c| !mapping.has(*c));
    if no_conversation && !absent.contains(&Canonical::ConversationId) {
        let find = |c: Canonical| {
            if let Some(&i) = mapping.columns.get(&c) {
                return Some(i);
            }
            if absent.contains(&c) {
                return None;
            }
            c.aliases().iter().find_map(|alias| {
                (0..headers.len()).find(|&i| !taken[i] && normalized[i] == *alias)
            })
        };
        if let (Some(id), Some(reply)) = (find(Canonical::MessageId), find(Canonical::ReplyTo))
            && id != reply
        {
            mapping.columns.insert(Canonical::MessageId, id);
            mapping.columns.insert(Canonical::ReplyTo, reply);
        }
    }
    // Only a pair, and only without a conversation column, is kept.
    if !no_conversation || !mapping.has(Canonical::ReplyTo) || !mapping.has(Canonical::MessageId) {
        mapping.columns.remove(&Canonical::MessageId);
        mapping.columns.remove(&Canonical::ReplyTo);
    }
    Ok(mapping)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_override_keeps_a_column_unmapped() {
        let headers = h(&["date", "chat", "type", "from"]);
        let auto = map_headers(&headers, &[]).unwrap();
        assert_eq!(auto.get(Canonical::Direction), Some(2));
        let none: MapOverride = "direction=".parse().unwrap();
        assert_eq!(none.source, "");
        let m = map_headers(&headers, &[none]).unwrap();
        assert!(!m.has(Canonical::Direction));
        assert_eq!(m.get(Canonical::Sender), Some(3));
        assert_eq!(m.get(Canonical::Timestamp), Some(0));
        // Without a timestamp, a lone date column is not taken either.
        let m = map_headers(&headers, &["timestamp=".parse().unwrap()]).unwrap();
        assert!(!m.has(Canonical::Timestamp) && !m.has(Canonical::Date));
    }

    fn h(v: &[&str]) -> Vec<String> {
        v.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn aliases_and_exact_names() {
        let headers = h(&[
            "Sent At",
            "Chat ID",
            "From Me",
            "Author",
            "Message",
            "Deal Value",
        ]);
        let m = map_headers(&headers, &[]).unwrap();
        assert_eq!(m.get(Canonical::Timestamp), Some(0));
        assert_eq!(m.get(Canonical::ConversationId), Some(1));
        assert_eq!(m.get(Canonical::Direction), Some(2));
        assert!(!m.direction_inverted);
        assert_eq!(m.get(Canonical::Sender), Some(3));
        assert_eq!(m.get(Canonical::Text), Some(4));
        assert_eq!(m.get(Canonical::Value), Some(5));
    }

    #[test]
    fn exact_name_beats_alias_and_alias_order_wins() {
        let headers = h(&["time", "timestamp", "created_at"]);
        let m = map_headers(&headers, &[]).unwrap();
        assert_eq!(m.get(Canonical::Timestamp), Some(1));
        let headers = h(&["created_at", "time"]);
        let m = map_headers(&headers, &[]).unwrap();
        assert_eq!(m.get(Canonical::Timestamp), Some(1));
    }

    #[test]
    fn inbound_column_is_inverted_direction() {
        let headers = h(&["tweet_id", "author_id", "inbound", "created_at"]);
        let m = map_headers(&headers, &[]).unwrap();
        assert_eq!(m.get(Canonical::Direction), Some(2));
        assert!(m.direction_inverted);
    }

    #[test]
    fn reply_chains_only_as_a_pair_and_without_a_conversation() {
        let headers = h(&[
            "tweet_id",
            "author_id",
            "inbound",
            "created_at",
            "in_response_to_tweet_id",
        ]);
        let m = map_headers(&headers, &[]).unwrap();
        assert_eq!(m.get(Canonical::MessageId), Some(0));
        assert_eq!(m.get(Canonical::ReplyTo), Some(4));
        // A conversation or contact column makes them needless.
        for conversation in ["chat", "customer_id"] {
            let mut with = headers.clone();
            with.push(conversation.into());
            let m = map_headers(&with, &[]).unwrap();
            assert!(!m.has(Canonical::MessageId) && !m.has(Canonical::ReplyTo));
        }
        let o: MapOverride = "conversation_id=author_id".parse().unwrap();
        let m = map_headers(&headers, &[o]).unwrap();
        assert!(!m.has(Canonical::ReplyTo));
        // An id alone, or a conversation said to be absent, is no thread.
        let m = map_headers(&h(&["id", "time", "direction"]), &[]).unwrap();
        assert!(!m.has(Canonical::MessageId));
        let none: MapOverride = "conversation_id=".parse().unwrap();
        assert!(
            !map_headers(&headers, &[none])
                .unwrap()
                .has(Canonical::ReplyTo)
        );
        // Named by the user.
        let overrides = ["message_id=author_id", "reply_to=tweet_id"].map(|o| o.parse().unwrap());
        let m = map_headers(&headers, &overrides).unwrap();
        assert_eq!(m.get(Canonical::MessageId), Some(1));
        assert_eq!(m.get(Canonical::ReplyTo), Some(0));
    }

    #[test]
    fn date_time_pair_only_without_timestamp() {
        let headers = h(&["Date", "Time", "chat"]);
        let m = map_headers(&headers, &[]).unwrap();
        assert_eq!(m.get(Canonical::Timestamp), None);
        assert_eq!(m.get(Canonical::Date), Some(0));
        assert_eq!(m.get(Canonical::Time), Some(1));
        let headers = h(&["Date", "Time", "sent_at"]);
        let m = map_headers(&headers, &[]).unwrap();
        assert_eq!(m.get(Canonical::Timestamp), Some(2));
        assert_eq!(m.get(Canonical::Date), None);
        let headers = h(&["date", "hour", "chat"]);
        let m = map_headers(&headers, &[]).unwrap();
        assert_eq!(m.get(Canonical::Timestamp), Some(0));
    }

    #[test]
    fn overrides_win() {
        let headers = h(&["When", "Thread", "Dir", "timestamp"]);
        let o: MapOverride = "timestamp=\"When\"".parse().unwrap();
        let m = map_headers(&headers, &[o]).unwrap();
        assert_eq!(m.get(Canonical::Timestamp), Some(0));
        let bad: Result<MapOverride, _> = "nonsense=When".parse();
        assert!(bad.is_err());
        let o: MapOverride = "timestamp=Missing".parse().unwrap();
        assert!(map_headers(&headers, &[o]).is_err());
    }
}
