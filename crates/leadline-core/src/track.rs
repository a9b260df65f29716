//! Tracking: what a tracked event means, whatever sent it (the Segment tracking API, the
//! browser script, a form). When it happened (clock skew corrected), which activity type it
//! is, and where the visit came from (a touch: source, medium, campaign, referrer and the
//! channel they add up to). The wire format is the server's; this is the meaning.

use crate::Millis;

/// The kinds of message of the Segment tracking API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKind {
    Identify,
    Track,
    Page,
    Screen,
    Group,
    Alias,
}

impl MessageKind {
    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw {
            "identify" => Self::Identify,
            "track" => Self::Track,
            "page" => Self::Page,
            "screen" => Self::Screen,
            "group" => Self::Group,
            "alias" => Self::Alias,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Identify => "identify",
            Self::Track => "track",
            Self::Page => "page",
            Self::Screen => "screen",
            Self::Group => "group",
            Self::Alias => "alias",
        }
    }
}

/// How far in the future an event may claim to have happened: later is the sender's clock
/// being wrong, and the event counts as received now.
pub const FUTURE_TOLERANCE: Millis = 60_000;

/// When an event happened, as the Segment spec corrects it: a device's clock may be wrong, but
/// the time between `timestamp` and `sentAt`, both read from that clock, is right, so the
/// event happened that long before the server received it. Without `sentAt` the timestamp is
/// taken as it is; without either, the time received. Never later than received.
pub fn corrected_time(timestamp: Option<Millis>, sent_at: Option<Millis>, received_at: Millis) -> Millis {
    let t = match (timestamp, sent_at) {
        (Some(t), Some(sent)) => received_at - (sent - t).max(0),
        (Some(t), None) if t <= received_at + FUTURE_TOLERANCE => t,
        _ => received_at,
    };
    t.min(received_at)
}

/// The activity type a message is recorded as. Pages and screens are page views; a track
/// call is a known type when its name says one (`Order Completed` is a purchase, the
/// `Form Submitted` of the browser script a form submission), else a custom `x_` type made
/// from its name (`Signed Up` -> `x_signed_up`). Identify, group and alias change who
/// someone is, not what they did: they are not activities.
pub fn activity_type(kind: MessageKind, event: Option<&str>) -> Option<String> {
    match kind {
        MessageKind::Page | MessageKind::Screen => Some("page_view".into()),
        MessageKind::Track => {
            let slug = slug(event.unwrap_or_default());
            let known = match slug.as_str() {
                "order_completed" | "purchase" => "purchase",
                "form_submitted" | "form_submission" => "form_submission",
                "cta_clicked" => "x_cta_clicked",
                "page_view" | "page_viewed" => "page_view",
                "product_viewed" | "product_event" => "product_event",
                _ => "",
            };
            Some(if !known.is_empty() {
                known.to_owned()
            } else if slug.is_empty() {
                "x_event".to_owned()
            } else {
                let mut t = format!("x_{slug}");
                t.truncate(64);
                t
            })
        }
        MessageKind::Identify | MessageKind::Group | MessageKind::Alias => None,
    }
}

/// Lowercase ASCII letters and digits with single underscores between words.
fn slug(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    out
}

/// The channels a touch or a campaign belongs to.
pub const CHANNELS: &[&str] = &[
    "paid_search",
    "paid_social",
    "organic_search",
    "organic_social",
    "email",
    "content",
    "display",
    "events",
    "referral",
    "partner",
    "purchased_list",
    "chat",
    "direct",
];

/// What a visit says about where it came from: the UTM parameters (from the tracker's
/// `context.campaign` or the page's address), the page and the referrer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Visit<'a> {
    pub url: Option<&'a str>,
    pub referrer: Option<&'a str>,
    pub utm_source: Option<&'a str>,
    pub utm_medium: Option<&'a str>,
    pub utm_campaign: Option<&'a str>,
}

/// Where a visit came from, once classified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Touch {
    pub channel: &'static str,
    /// `utm_source`, else the referrer's host, else `direct`.
    pub source: String,
    pub medium: Option<String>,
    pub campaign: Option<String>,
    pub referrer: Option<String>,
}

const SEARCH_ENGINES: &[&str] =
    &["google", "bing", "duckduckgo", "yahoo", "yandex", "baidu", "ecosia", "qwant", "naver", "seznam", "startpage"];
const SOCIAL_NETWORKS: &[&str] = &[
    "facebook",
    "instagram",
    "linkedin",
    "lnkd",
    "twitter",
    "t.co",
    "x.com",
    "youtube",
    "reddit",
    "tiktok",
    "pinterest",
    "threads",
    "mastodon",
    "xing",
    "vk.com",
    "telegram",
    "whatsapp",
    "bsky",
];
const EMAIL_HOSTS: &[&str] = &["mail.google", "outlook.live", "mail.yahoo", "webmail"];

/// Where a visit came from, or `None` when it says nothing: a page reached from another page
/// of the same site, without campaign parameters, continues a visit and is no new touch.
/// Campaign parameters win; `utm_medium` names the channel as the common conventions spell it
/// (cpc, ppc and paid search; paid social; email; social; referral; affiliate and partner;
/// display, cpm and banner; event; content). Without them the referrer decides: a search
/// engine (a click id on the page says paid), a social network, a webmail, any other site
/// (referral); no referrer is direct.
pub fn classify(visit: &Visit<'_>) -> Option<Touch> {
    let param = |name: &str| visit.url.and_then(|u| query_param(u, name));
    let utm = |given: Option<&str>, name: &str| {
        given.map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).or_else(|| param(name))
    };
    let source = utm(visit.utm_source, "utm_source");
    let medium = utm(visit.utm_medium, "utm_medium");
    let campaign = utm(visit.utm_campaign, "utm_campaign");
    let page_host = visit.url.and_then(host);
    let referrer = visit.referrer.map(str::trim).filter(|r| !r.is_empty());
    let referrer_host = referrer.and_then(host);
    let referrer_host = referrer_host.as_deref();
    let internal = referrer_host.is_some() && referrer_host == page_host.as_deref();
    if source.is_none() && medium.is_none() && campaign.is_none() && internal {
        return None;
    }
    let clicked = |ids: &[&str]| ids.iter().any(|id| param(id).is_some());
    let is = |host: &str, names: &[&str]| names.iter().any(|n| host_is(host, n));
    let channel = match medium.as_deref().map(str::to_ascii_lowercase).as_deref() {
        Some("cpc" | "ppc" | "paid_search" | "paidsearch" | "paid-search" | "sem") => "paid_search",
        Some("paid_social" | "paidsocial" | "paid-social" | "social_paid" | "social-paid") => "paid_social",
        Some(m) if m.contains("email") || m == "newsletter" => "email",
        Some("social" | "social-network" | "social_network" | "social-media" | "social_media" | "sm") => {
            "organic_social"
        }
        Some("referral") => "referral",
        Some("affiliate" | "partner" | "partners") => "partner",
        Some("display" | "cpm" | "banner" | "programmatic") => "display",
        Some("event" | "events" | "trade_show" | "tradeshow" | "offline") => "events",
        Some("content" | "blog" | "organic") => "content",
        Some("chat") => "chat",
        Some("list" | "purchased_list") => "purchased_list",
        _ if clicked(&["gclid", "msclkid", "gbraid", "wbraid"]) => "paid_search",
        _ if clicked(&["fbclid", "li_fat_id", "ttclid"]) && medium.is_some() => "paid_social",
        _ => match referrer_host {
            Some(_) if internal => "direct",
            Some(h) if is(h, SEARCH_ENGINES) => "organic_search",
            Some(h) if is(h, SOCIAL_NETWORKS) => "organic_social",
            Some(h) if is(h, EMAIL_HOSTS) => "email",
            Some(_) => "referral",
            None if source.is_some() => "referral",
            None => "direct",
        },
    };
    let external_referrer = referrer.filter(|_| !internal).map(str::to_owned);
    Some(Touch {
        channel,
        source: source
            .or_else(|| referrer_host.filter(|_| !internal).map(str::to_owned))
            .unwrap_or_else(|| "direct".to_owned()),
        medium,
        campaign,
        referrer: external_referrer,
    })
}

/// Whether a host is a network's: its name is one of the host's labels (`google` in
/// `www.google.co.uk`), or, for a name with a dot, the host is it or ends with it.
fn host_is(host: &str, name: &str) -> bool {
    if name.contains('.') {
        host == name || host.ends_with(&format!(".{name}"))
    } else {
        host.split('.').any(|label| label == name)
    }
}

/// The host of an absolute http(s) address, lowercase, without `www.` or a port.
pub fn host(url: &str) -> Option<String> {
    let (scheme, rest) = url.trim().split_once("://")?;
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let h = authority.split(':').next()?.to_ascii_lowercase();
    let h = h.strip_prefix("www.").unwrap_or(&h);
    (!h.is_empty() && h.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-'))
        .then(|| h.to_owned())
}

/// A query parameter of an address, percent-decoded (`+` is a space); empty counts as absent.
pub fn query_param(url: &str, name: &str) -> Option<String> {
    let query = url.split('#').next()?.split_once('?')?.1;
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (k == name).then(|| percent_decode(v)).filter(|v| !v.trim().is_empty())
    })
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                match bytes.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A touch as kept on a contact or a visitor: when, and where from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timed {
    pub at: Millis,
    pub touch: Touch,
}

/// The first and latest touches after one more: the first is the earliest (events arrive out
/// of order), the latest the newest, a tie going to the one seen last.
pub fn fold_touches(first: Option<Timed>, latest: Option<Timed>, next: Timed) -> (Timed, Timed) {
    let first = match first {
        Some(f) if f.at <= next.at => f,
        _ => next.clone(),
    };
    let latest = match latest {
        Some(l) if l.at > next.at => l,
        _ => next,
    };
    (first, latest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn visit<'a>(url: &'a str, referrer: &'a str) -> Visit<'a> {
        Visit { url: Some(url), referrer: Some(referrer), ..Default::default() }
    }

    #[test]
    fn clock_skew_is_corrected_by_the_time_between_timestamp_and_sent_at() {
        // A device an hour behind sent, 5 s after the event, what arrived at 10:00:00.
        let received = 36_000_000;
        let device_event = received - 3_600_000 - 5_000;
        let device_sent = received - 3_600_000;
        assert_eq!(corrected_time(Some(device_event), Some(device_sent), received), received - 5_000);
        assert_eq!(corrected_time(Some(received - 9_000), None, received), received - 9_000);
        assert_eq!(corrected_time(None, Some(5), received), received);
        // A timestamp from the future without sentAt is a wrong clock: received.
        assert_eq!(corrected_time(Some(received + 3_600_000), None, received), received);
        // sentAt before the timestamp is nonsense: no negative delay.
        assert_eq!(corrected_time(Some(100), Some(50), received), received);
    }

    #[test]
    fn activity_types_follow_the_event_names() {
        assert_eq!(activity_type(MessageKind::Page, None).as_deref(), Some("page_view"));
        assert_eq!(activity_type(MessageKind::Track, Some("Order Completed")).as_deref(), Some("purchase"));
        assert_eq!(activity_type(MessageKind::Track, Some("Signed Up!")).as_deref(), Some("x_signed_up"));
        assert_eq!(
            activity_type(MessageKind::Track, Some("Zamówienie złożone")).as_deref(),
            Some("x_zam_wienie_z_o_one")
        );
        assert_eq!(activity_type(MessageKind::Track, Some("ثبت نام")).as_deref(), Some("x_event"));
        assert_eq!(activity_type(MessageKind::Identify, None), None);
        let long = "a".repeat(200);
        assert_eq!(activity_type(MessageKind::Track, Some(&long)).unwrap().len(), 64);
    }

    #[test]
    fn campaign_parameters_name_the_channel() {
        let t = classify(&visit("https://acme.io/p?utm_source=google&utm_medium=cpc&utm_campaign=spring", "")).unwrap();
        assert_eq!((t.channel, t.source.as_str(), t.campaign.as_deref()), ("paid_search", "google", Some("spring")));
        let t = classify(&Visit {
            url: Some("https://acme.io/"),
            utm_source: Some("linkedin"),
            utm_medium: Some("paid_social"),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(t.channel, "paid_social");
        let t = classify(&visit("https://acme.io/?utm_source=news&utm_medium=Email&utm_campaign=ao%C3%BBt+2026", ""))
            .unwrap();
        assert_eq!((t.channel, t.campaign.as_deref()), ("email", Some("août 2026")));
    }

    #[test]
    fn the_referrer_names_the_channel_without_campaign_parameters() {
        let channel = |url, referrer| classify(&visit(url, referrer)).map(|t| t.channel);
        assert_eq!(channel("https://acme.io/", "https://www.google.co.uk/"), Some("organic_search"));
        assert_eq!(channel("https://acme.io/?gclid=abc", "https://www.google.com/"), Some("paid_search"));
        assert_eq!(channel("https://acme.io/", "https://t.co/xyz"), Some("organic_social"));
        assert_eq!(channel("https://acme.io/", "https://www.linkedin.com/feed"), Some("organic_social"));
        assert_eq!(channel("https://acme.io/", "https://blog.example.org/post"), Some("referral"));
        assert_eq!(channel("https://acme.io/", ""), Some("direct"));
        // Within the site: no touch.
        assert_eq!(channel("https://acme.io/pricing", "https://www.acme.io/"), None);
        // "bing" is a label, not a substring: bingo.com is a referral.
        assert_eq!(channel("https://acme.io/", "https://bingo.com/"), Some("referral"));
        let t = classify(&visit("https://acme.io/", "https://blog.example.org/post")).unwrap();
        assert_eq!(
            (t.source.as_str(), t.referrer.as_deref()),
            ("blog.example.org", Some("https://blog.example.org/post"))
        );
    }

    #[test]
    fn hosts_and_parameters_read_from_addresses() {
        assert_eq!(host("https://WWW.Acme.io:8443/a?b#c").as_deref(), Some("acme.io"));
        assert_eq!(host("http://user@127.0.0.1:9/").as_deref(), Some("127.0.0.1"));
        assert_eq!(host("javascript:alert(1)"), None);
        assert_eq!(host("android-app://com.google"), None);
        assert_eq!(query_param("https://a.io/?x=1&utm_source=a%20b+c#frag", "utm_source").as_deref(), Some("a b c"));
        assert_eq!(query_param("https://a.io/?utm_source=", "utm_source"), None);
        assert_eq!(query_param("https://a.io/?utm_source=%zz%4", "utm_source").as_deref(), Some("%zz%4"));
    }

    #[test]
    fn first_touch_is_the_earliest_and_latest_the_newest() {
        let t = |at, source: &str| Timed {
            at,
            touch: Touch { channel: "referral", source: source.into(), medium: None, campaign: None, referrer: None },
        };
        let (f, l) = fold_touches(None, None, t(10, "a"));
        let (f, l) = fold_touches(Some(f), Some(l), t(30, "b"));
        // Arrives late, happened first.
        let (f, l) = fold_touches(Some(f), Some(l), t(5, "c"));
        assert_eq!((f.touch.source.as_str(), l.touch.source.as_str()), ("c", "b"));
    }
}
