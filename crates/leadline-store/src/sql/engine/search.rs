//! Search: which live records a search box's text matches.
//!
//! A record keeps its folded search terms (core's `search_terms`) in its `search_text`
//! column, space-separated; writes only ever set that column. The backend derives its
//! full-text index from it: on SQLite an FTS5 table kept by triggers, on PostgreSQL a
//! generated `tsvector` under GIN (see the `0004_search_index` migrations). A record matches
//! when every query term is a prefix of one of its terms, as `leadline_core::text::matches`
//! defines.

use leadline_core::record::ObjectKind;

use super::records::{table, Conn};
use super::{query_count, sql};
use crate::error::StoreResult;
use crate::sql::Sql;

/// What a record's `search_text` holds for these terms.
pub(super) fn text(terms: &[String]) -> String {
    terms.join(" ")
}

/// Make every live record's search terms again (when the way terms are made changed), a
/// page at a time; only texts that change are written.
pub(super) async fn reterm_all(conn: &mut Conn) -> StoreResult<()> {
    for object in [ObjectKind::Contact, ObjectKind::Company, ObjectKind::Deal] {
        let mut after = String::new();
        loop {
            let ids: Vec<String> = sqlx::query_scalar(&format!(
                "SELECT id FROM {} WHERE id > $1 AND merged_into IS NULL ORDER BY id LIMIT 2000",
                table(object)
            ))
            .bind(&after)
            .fetch_all(&mut *conn)
            .await?;
            let Some(last) = ids.last().cloned() else { break };
            let records = super::records::load(conn, object, &ids).await?;
            let terms: Vec<(String, Vec<String>)> =
                records.iter().map(|r| (r.id.clone(), super::contacts::record_terms(r))).collect();
            super::execute_all(conn, super::records::terms_statements(object, &terms)).await?;
            after = last;
        }
    }
    Ok(())
}

/// How a search finds its records.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Plan {
    /// Ask the index for every match, then sort: for searches that match few records.
    FromIndex,
    /// Walk the list in its sort order and test each record's own terms: for searches that
    /// match many, where a page fills after a few hundred records.
    WalkOrder,
}

/// Above this many matches a search walks the sort order; below it, it starts from the index.
const FEW_MATCHES: i64 = 2_000;

/// PostgreSQL: how many of the newest records a search samples to pick its plan, and how many
/// of them must match for walking the list in order to fill a page soon.
const SAMPLE: i64 = 2_000;
const SAMPLE_HITS: i64 = 10;

/// A search of one object's records: a record matches any one of `alternatives`, each a
/// list of query terms it must all match (`leadline_core::contact::query_alternatives`).
pub(super) struct Search {
    object: ObjectKind,
    alternatives: Vec<Vec<String>>,
    plan: Plan,
}

impl Search {
    /// The search for a search box's text; `None` when the text has nothing to search by.
    /// Planned from the index: on SQLite a capped count of the matches picks the plan, on
    /// PostgreSQL the planner does that from its own statistics.
    pub(super) async fn planned(conn: &mut Conn, object: ObjectKind, q: &str) -> StoreResult<Option<Search>> {
        let Some(mut search) = Self::unplanned(object, q) else { return Ok(None) };
        let mut probe = sql("SELECT COUNT(*) FROM (");
        let param = probe.bind(super::super::search_query(&search.alternatives));
        if let Some(matches) = super::super::search_probe(table(object), &param) {
            // SQLite: count the matches in the FTS5 index, up to FEW_MATCHES.
            probe.push(&matches).push(" LIMIT ").arg(FEW_MATCHES).push(") AS few");
            if query_count(&probe).fetch_one(&mut *conn).await? >= FEW_MATCHES {
                search.plan = Plan::WalkOrder;
            }
        } else {
            // PostgreSQL gives every prefix query the same estimate (a fiftieth of the table),
            // so on its own it walked the whole created_at index for a rare name (200-330 ms
            // at a million contacts). How often the newest records match says which way is
            // short: a common term fills a page walking the list, a rare one starts from the
            // GIN index.
            let t = table(object);
            let mut sample = sql(&format!(
                "SELECT COUNT(*) FROM (SELECT search_text FROM {t} WHERE merged_into IS NULL \
                 ORDER BY created_at DESC LIMIT {SAMPLE}) AS {t} WHERE TRUE"
            ));
            let walk = Search { object, alternatives: search.alternatives.clone(), plan: Plan::WalkOrder };
            walk.push_where(&mut sample);
            if query_count(&sample).fetch_one(&mut *conn).await? >= SAMPLE_HITS {
                search.plan = Plan::WalkOrder;
            }
        }
        Ok(Some(search))
    }

    /// The search without a plan: it starts from the index (for counts, which visit every
    /// match anyway).
    pub(super) fn unplanned(object: ObjectKind, q: &str) -> Option<Search> {
        let alternatives = leadline_core::contact::query_alternatives(q);
        (!alternatives.is_empty()).then_some(Search { object, alternatives, plan: Plan::FromIndex })
    }

    /// Whether the search starts from the index (and the sort must not tempt the planner into
    /// walking the list instead).
    pub(super) fn starts_from_index(&self) -> bool {
        self.plan == Plan::FromIndex
    }

    /// ` AND` the search's condition.
    pub(super) fn push_where(&self, sql: &mut Sql) {
        sql.push(" AND ");
        match self.plan {
            Plan::FromIndex => {
                let param = sql.bind(super::super::search_query(&self.alternatives));
                sql.push(&super::super::search_match(table(self.object), &param));
            }
            Plan::WalkOrder => {
                // The record's own terms, each preceded by a space: " ann" finds a term that
                // starts with "ann".
                let searched = format!("' ' || {}.search_text", table(self.object));
                sql.push("(");
                for (a, terms) in self.alternatives.iter().enumerate() {
                    sql.push(if a > 0 { " OR (" } else { "(" });
                    for (i, term) in terms.iter().enumerate() {
                        if i > 0 {
                            sql.push(" AND ");
                        }
                        let param = sql.bind(format!(" {term}"));
                        sql.push(&super::super::text_contains(&searched, &param));
                    }
                    sql.push(")");
                }
                sql.push(")");
            }
        }
    }
}
