//! Who should talk to a lead next: assignment rules tried in order (the account's owner, a
//! territory's team, a team's round robin), a round robin weighted by each member's capacity
//! that passes over members who are away or at their limit, and the order of a rep's work
//! queue. Pure: the engine hands in the members as the store has them and records the choice.

use crate::Millis;

/// An assignment rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rule {
    /// The owner of the contact's company, unless away (then the next rule decides).
    AccountOwner,
    /// Contacts in one of `countries` (ISO codes) go to `team`'s round robin.
    Territory { countries: Vec<String>, team: String },
    /// Every contact that reaches this rule goes to `team`'s round robin.
    RoundRobin { team: String },
}

/// What routing is set to: the rules in order, and the time a rep has for the first touch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Routing {
    pub rules: Vec<Rule>,
    pub sla_minutes: u32,
}

impl Default for Routing {
    /// A fresh install: the account's owner, else the `sales` team in turn; four hours.
    fn default() -> Self {
        Self { rules: vec![Rule::AccountOwner, Rule::RoundRobin { team: "sales".into() }], sla_minutes: 240 }
    }
}

/// The most rules, countries in a territory, and minutes in an SLA (a year) routing takes.
pub const MAX_RULES: usize = 100;
pub const MAX_COUNTRIES: usize = 300;
pub const MAX_SLA_MINUTES: u32 = 525_600;

impl Routing {
    /// Check a routing sent by a person: an error names the part and what is wrong with it.
    pub fn check(&self) -> Result<(), crate::FieldError> {
        let bad = |field: String, message: String| Err(crate::FieldError::new(&field, "invalid_routing", message));
        if self.rules.len() > MAX_RULES {
            return bad("rules".into(), format!("at most {MAX_RULES} rules"));
        }
        if self.sla_minutes == 0 || self.sla_minutes > MAX_SLA_MINUTES {
            return bad("sla_minutes".into(), format!("sla_minutes is 1 to {MAX_SLA_MINUTES}"));
        }
        for (i, rule) in self.rules.iter().enumerate() {
            let team = match rule {
                Rule::AccountOwner => continue,
                Rule::Territory { countries, team } => {
                    if countries.is_empty() || countries.len() > MAX_COUNTRIES {
                        return bad(format!("rules[{i}].countries"), format!("1 to {MAX_COUNTRIES} countries"));
                    }
                    if let Some(c) =
                        countries.iter().find(|c| crate::country::code(c) != Some(c.to_ascii_uppercase().as_str()))
                    {
                        return bad(format!("rules[{i}].countries"), format!("{c:?} is not a country code"));
                    }
                    team
                }
                Rule::RoundRobin { team } => team,
            };
            if !is_team(team) {
                return bad(format!("rules[{i}].team"), "a team is 1 to 64 letters, digits, - or _".into());
            }
        }
        Ok(())
    }
}

/// Rules written one to a line, as the settings screen edits them:
///
/// ```text
/// account owner
/// territory PL, CZ -> cee
/// round robin sales
/// ```
///
/// Blank lines are skipped. An error names the line (from 1) and what it expected.
pub fn parse_rules(text: &str) -> Result<Vec<Rule>, (usize, String)> {
    let mut rules = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let bad = |what: &str| Err((i + 1, what.to_owned()));
        let rule = match words.as_slice() {
            [] => continue,
            ["account", "owner"] | ["account_owner"] => Rule::AccountOwner,
            ["round", "robin", team] | ["round_robin", team] => Rule::RoundRobin { team: (*team).to_owned() },
            ["territory", ..] => {
                let rest = line.trim_start().trim_start_matches("territory");
                let Some((countries, team)) = rest.split_once("->") else {
                    return bad("territory <countries> -> <team>");
                };
                let countries: Vec<String> = countries
                    .split([',', ' '])
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .map(str::to_ascii_uppercase)
                    .collect();
                Rule::Territory { countries, team: team.trim().to_owned() }
            }
            _ => return bad("account owner, territory <countries> -> <team>, or round robin <team>"),
        };
        rules.push(rule);
    }
    Ok(rules)
}

/// Rules as [`parse_rules`] reads them.
pub fn rules_to_text(rules: &[Rule]) -> String {
    rules
        .iter()
        .map(|r| match r {
            Rule::AccountOwner => "account owner".to_owned(),
            Rule::Territory { countries, team } => format!("territory {} -> {team}", countries.join(", ")),
            Rule::RoundRobin { team } => format!("round robin {team}"),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Whether `name` can name a team.
pub fn is_team(name: &str) -> bool {
    !name.is_empty() && name.len() <= 64 && name.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '_')
}

/// A user who takes leads, as routing sees them now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub user_id: String,
    pub team: String,
    /// Their share of the team's leads: a member of weight 2 gets twice a member of weight 1's.
    pub weight: u32,
    /// The most open leads they take; `None`: no limit.
    pub max_open: Option<u32>,
    /// Away (out of office) until then: no leads, and their accounts' leads go on down the rules.
    pub away_until: Option<Millis>,
    /// Leads they hold now (assigned, not yet worked out of the queue).
    pub open: u32,
    /// Leads the round robin has given them, ever: where their turn is.
    pub assigned: u64,
}

impl Member {
    fn available(&self, now: Millis) -> bool {
        self.away_until.is_none_or(|until| until <= now)
            && self.max_open.is_none_or(|max| self.open < max)
            && self.weight > 0
    }
}

/// The lead being routed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lead {
    pub country: Option<String>,
    /// The owner of the contact's company.
    pub account_owner: Option<String>,
}

/// Who gets the lead, and by which rule: its place in the list, and the reason in a form
/// screens translate (`account_owner`, `territory:<country>:<team>`, `round_robin:<team>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub user_id: String,
    pub rule: usize,
    pub reason: String,
}

/// Route a lead: the first rule that finds someone available decides. `None` when none does
/// (no rule fits, or everyone is away or full): the lead waits in the team queue unowned.
pub fn route(lead: &Lead, routing: &Routing, members: &[Member], now: Millis) -> Option<Assignment> {
    routing.rules.iter().enumerate().find_map(|(i, rule)| {
        let (user_id, reason) = match rule {
            Rule::AccountOwner => {
                let owner = lead.account_owner.as_ref()?;
                // The owner need not take round-robin leads; one who does is skipped while away.
                let member = members.iter().find(|m| &m.user_id == owner);
                if member.is_some_and(|m| m.away_until.is_some_and(|until| until > now)) {
                    return None;
                }
                (owner.clone(), "account_owner".to_owned())
            }
            Rule::Territory { countries, team } => {
                let country = lead.country.as_ref()?;
                if !countries.iter().any(|c| c.eq_ignore_ascii_case(country)) {
                    return None;
                }
                let country = country.to_ascii_uppercase();
                (next_in_turn(members, team, now)?.user_id.clone(), format!("territory:{country}:{team}"))
            }
            Rule::RoundRobin { team } => {
                (next_in_turn(members, team, now)?.user_id.clone(), format!("round_robin:{team}"))
            }
        };
        Some(Assignment { user_id, rule: i, reason })
    })
}

/// The team member whose turn it is: of those available, the one furthest behind their share
/// (fewest leads given for their weight); ties to the lowest id, so every server picks alike.
pub fn next_in_turn<'a>(members: &'a [Member], team: &str, now: Millis) -> Option<&'a Member> {
    members.iter().filter(|m| m.team == team && m.available(now)).min_by(|a, b| {
        // a.assigned / a.weight against b.assigned / b.weight, in integers.
        let (x, y) = (u128::from(a.assigned) * u128::from(b.weight), u128::from(b.assigned) * u128::from(a.weight));
        x.cmp(&y).then_with(|| a.user_id.cmp(&b.user_id))
    })
}

/// A lead in a work queue, as far as its order goes.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueItem {
    /// The fit x engagement matrix place (see `score::priority`): 0 is A1.
    pub priority: usize,
    pub engagement: f64,
    /// When the contact last showed intent (a form, a pricing visit, a chat), if ever.
    pub last_intent: Option<Millis>,
    /// When the first touch is due, while none has been made.
    pub sla_due: Option<Millis>,
}

/// The queue's order: the best place in the priority matrix first; within it the most
/// engaged, then the most recent intent, then the first touch due soonest.
pub fn queue_order(a: &QueueItem, b: &QueueItem) -> std::cmp::Ordering {
    a.priority
        .cmp(&b.priority)
        .then_with(|| b.engagement.total_cmp(&a.engagement))
        .then_with(|| b.last_intent.cmp(&a.last_intent))
        .then_with(|| a.sla_due.unwrap_or(Millis::MAX).cmp(&b.sla_due.unwrap_or(Millis::MAX)))
}

/// Whether a lead assigned at `assigned_at` and first touched at `first_touch` (if yet) has
/// missed its SLA at `now`.
pub fn sla_breached(assigned_at: Millis, first_touch: Option<Millis>, sla_minutes: u32, now: Millis) -> bool {
    let due = assigned_at + Millis::from(sla_minutes) * 60_000;
    first_touch.unwrap_or(now) > due
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const NOW: Millis = 1_800_000_000_000;

    fn member(id: &str, team: &str, weight: u32) -> Member {
        Member { user_id: id.into(), team: team.into(), weight, max_open: None, away_until: None, open: 0, assigned: 0 }
    }

    fn routing() -> Routing {
        Routing {
            rules: vec![
                Rule::AccountOwner,
                Rule::Territory { countries: vec!["PL".into(), "CZ".into()], team: "cee".into() },
                Rule::RoundRobin { team: "sales".into() },
            ],
            sla_minutes: 60,
        }
    }

    #[test]
    fn rules_decide_in_order() {
        let members = vec![member("ania", "cee", 1), member("bob", "sales", 1), member("carla", "sales", 1)];
        let lead = |country: &str, owner: Option<&str>| Lead {
            country: Some(country.into()),
            account_owner: owner.map(str::to_owned),
        };
        let a = route(&lead("PL", Some("zoe")), &routing(), &members, NOW).unwrap();
        assert_eq!((a.user_id.as_str(), a.rule, a.reason.as_str()), ("zoe", 0, "account_owner"));
        let a = route(&lead("pl", None), &routing(), &members, NOW).unwrap();
        assert_eq!((a.user_id.as_str(), a.reason.as_str()), ("ania", "territory:PL:cee"));
        let a = route(&lead("IT", None), &routing(), &members, NOW).unwrap();
        assert_eq!((a.user_id.as_str(), a.rule), ("bob", 2));
    }

    #[test]
    fn away_and_full_members_are_passed_over() {
        let mut members = vec![member("ania", "cee", 1), member("bob", "sales", 1), member("carla", "sales", 1)];
        members[0].away_until = Some(NOW + 1);
        members[1].max_open = Some(3);
        members[1].open = 3;
        // The account owner is away: the territory's team is too, so the round robin decides,
        // and of the sales team only carla has room.
        let lead = Lead { country: Some("PL".into()), account_owner: Some("ania".into()) };
        let a = route(&lead, &routing(), &members, NOW).unwrap();
        assert_eq!((a.user_id.as_str(), a.rule), ("carla", 2));
        // Back from holiday: hers again.
        assert_eq!(route(&lead, &routing(), &members, NOW + 1).unwrap().user_id, "ania");
        members[2].away_until = Some(NOW + 10);
        let only_sales = Lead { country: Some("IT".into()), account_owner: None };
        assert_eq!(route(&only_sales, &routing(), &members, NOW), None, "nobody free: the lead waits");
    }

    #[test]
    fn checks_name_what_is_wrong() {
        let mut r = routing();
        assert_eq!(r.check(), Ok(()));
        r.rules.push(Rule::Territory { countries: vec!["XX".into()], team: "cee".into() });
        assert_eq!(r.check().unwrap_err().field, "rules[3].countries");
        r.rules.pop();
        r.rules.push(Rule::RoundRobin { team: "a b".into() });
        assert_eq!(r.check().unwrap_err().field, "rules[3].team");
        r.rules.pop();
        r.sla_minutes = 0;
        assert_eq!(r.check().unwrap_err().field, "sla_minutes");
    }

    #[test]
    fn rules_read_and_write_as_lines() {
        let text = "account owner\n\n  territory pl, CZ -> cee\nround robin sales";
        let rules = parse_rules(text).unwrap();
        assert_eq!(rules, routing().rules);
        assert_eq!(parse_rules(&rules_to_text(&rules)).unwrap(), rules);
        assert_eq!(parse_rules("account owner\nterritory PL cee").unwrap_err().0, 2);
        assert_eq!(parse_rules("lottery").unwrap_err().0, 1);
    }

    #[test]
    fn the_queue_puts_the_best_and_hottest_first() {
        let item =
            |priority, engagement, last_intent, sla_due| QueueItem { priority, engagement, last_intent, sla_due };
        let mut q = [
            item(5, 90.0, Some(3), None),
            item(0, 10.0, Some(1), Some(50)),
            item(0, 40.0, None, None),
            item(0, 10.0, Some(2), Some(90)),
            item(0, 10.0, Some(2), Some(60)),
        ];
        q.sort_by(queue_order);
        let order: Vec<(usize, f64, Option<Millis>, Option<Millis>)> =
            q.iter().map(|i| (i.priority, i.engagement, i.last_intent, i.sla_due)).collect();
        assert_eq!(
            order,
            [
                (0, 40.0, None, None),
                (0, 10.0, Some(2), Some(60)),
                (0, 10.0, Some(2), Some(90)),
                (0, 10.0, Some(1), Some(50)),
                (5, 90.0, Some(3), None)
            ]
        );
        assert!(!sla_breached(0, Some(60 * 60_000), 60, NOW), "touched just in time");
        assert!(sla_breached(0, Some(60 * 60_000 + 1), 60, NOW));
        assert!(sla_breached(0, None, 60, 60 * 60_000 + 1), "not touched, and late");
        assert!(!sla_breached(0, None, 60, 60 * 60_000), "not touched, not late yet");
    }

    proptest! {
        /// Reading any text never panics, and what it reads writes back to the same rules.
        #[test]
        fn rule_lines_never_panic_and_round_trip(text in "\\PC{0,200}") {
            if let Ok(rules) = parse_rules(&text) {
                let again = parse_rules(&rules_to_text(&rules));
                prop_assert_eq!(again, Ok(rules));
            }
        }

        /// Handing out leads one by one, no member gets more than one lead over their weighted
        /// share (the reference: total x weight / sum of weights), and none falls further
        /// behind it than their weight's part of one lead per member, whatever the weights.
        #[test]
        fn the_round_robin_keeps_to_each_members_share(weights in prop::collection::vec(1u32..5, 1..6), leads in 0usize..200) {
            let mut members: Vec<Member> =
                weights.iter().enumerate().map(|(i, w)| member(&format!("u{i}"), "sales", *w)).collect();
            for _ in 0..leads {
                let id = next_in_turn(&members, "sales", NOW).unwrap().user_id.clone();
                let m = members.iter_mut().find(|m| m.user_id == id).unwrap();
                m.assigned += 1;
            }
            let total: u32 = weights.iter().sum();
            for m in &members {
                let share = leads as f64 * f64::from(m.weight) / f64::from(total);
                let behind = members.len() as f64 * f64::from(m.weight) / f64::from(total);
                let got = m.assigned as f64;
                prop_assert!(got <= share + 1.0 + 1e-9, "{} got {got} for a share of {share}", m.user_id);
                prop_assert!(got >= share - behind - 1e-9, "{} got {got} for a share of {share}", m.user_id);
            }
        }
    }
}
