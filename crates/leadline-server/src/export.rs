//! CSV export of any filtered list, streamed page by page, in a form that imports back.

use std::collections::HashMap;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::Stream;
use leadline_core::property::PropertyDef;
use leadline_core::record::{self, ObjectKind};
use leadline_store::{ListQuery, Record, Store, User};

const PAGE: u32 = 1000;

/// Spreadsheet programs read a CSV as UTF-8 (Polish and Persian included) only when it starts
/// with a byte order mark.
pub const BOM: &str = "\u{feff}";

/// How records become CSV rows: every built-in field (the owner as the user's e-mail, with
/// their name beside it, so the file imports into another store), the lists, the external
/// ids as `system:id`, then one column per custom property.
pub struct Exporter {
    object: ObjectKind,
    props: Vec<PropertyDef>,
    /// Owner id -> (e-mail, name).
    users: HashMap<String, (String, String)>,
}

impl Exporter {
    pub fn new(object: ObjectKind, props: Vec<PropertyDef>, users: &[User]) -> Self {
        let users =
            users.iter().map(|u| (u.id.clone(), (u.email.clone(), u.name.clone().unwrap_or_default()))).collect();
        Self { object, props: props.into_iter().filter(|p| p.object == object).collect(), users }
    }

    /// A new exporter of the store's own records: their custom properties and users.
    pub async fn of_store(store: &dyn Store, object: ObjectKind) -> Result<Self, leadline_store::StoreError> {
        Ok(Self::new(object, store.properties(Some(object)).await?, &store.users().await?))
    }

    pub fn header(&self) -> Vec<String> {
        let mut h = vec!["id".to_owned()];
        for f in record::fields(self.object) {
            match f.name {
                "owner_id" => h.extend(["owner_email".to_owned(), "owner_name".to_owned()]),
                name => h.push(name.to_owned()),
            }
        }
        match self.object {
            ObjectKind::Contact => h.extend(["emails", "phones", "tags", "external_ids"].map(String::from)),
            ObjectKind::Deal => h.push("contact_ids".into()),
            ObjectKind::Company => h.push("external_ids".into()),
        }
        h.extend(self.props.iter().map(|p| format!("properties.{}", p.name)));
        h
    }

    /// A record's cells, each safe to open in a spreadsheet (`formula_safe`).
    pub fn row(&self, r: &Record) -> Vec<String> {
        let mut v = self.cells(r);
        for cell in &mut v {
            if let std::borrow::Cow::Owned(safe) = leadline_core::import::formula_safe(cell) {
                *cell = safe;
            }
        }
        v
    }

    fn cells(&self, r: &Record) -> Vec<String> {
        let mut v = vec![r.id.clone()];
        for (spec, value) in &r.fields {
            if spec.name == "owner_id" {
                let (email, name) =
                    value.as_ref().and_then(|id| self.users.get(&id.to_string())).cloned().unwrap_or_default();
                v.extend([email, name]);
                continue;
            }
            v.push(match (spec.kind, value) {
                (_, None) => String::new(),
                (record::FieldKind::Time, Some(record::Scalar::Int(ms))) => leadline_core::date::rfc3339(*ms),
                (_, Some(s)) => s.to_string(),
            });
        }
        let external = || r.external_ids.iter().map(|(s, id)| format!("{s}:{id}")).collect::<Vec<_>>().join(";");
        match r.object {
            ObjectKind::Contact => {
                v.push(r.emails.join(";"));
                v.push(r.phones.join(";"));
                v.push(r.tags.join(";"));
                v.push(external());
            }
            ObjectKind::Deal => v.push(r.contact_ids.join(";")),
            ObjectKind::Company => v.push(external()),
        }
        for p in &self.props {
            v.push(match r.properties.get(&p.name) {
                None | Some(serde_json::Value::Null) => String::new(),
                Some(serde_json::Value::String(s)) => s.clone(),
                Some(serde_json::Value::Array(a)) => a.iter().filter_map(|x| x.as_str()).collect::<Vec<_>>().join(";"),
                Some(other) => other.to_string(),
            });
        }
        v
    }
}

fn encode(rows: &[Vec<String>]) -> Result<Bytes, std::io::Error> {
    let mut w = csv::Writer::from_writer(Vec::with_capacity(rows.len() * 128));
    for r in rows {
        w.write_record(r)?;
    }
    w.into_inner().map(Bytes::from).map_err(|e| std::io::Error::other(e.to_string()))
}

/// The CSV of every record the query matches, one page at a time: memory stays flat whatever
/// the size of the export.
pub fn stream(
    store: Arc<dyn Store>,
    object: ObjectKind,
    mut query: ListQuery,
    exporter: Exporter,
) -> impl Stream<Item = Result<Bytes, std::io::Error>> {
    query.limit = PAGE;
    let first = encode(&[exporter.header()]).map(|h| Bytes::from([BOM.as_bytes(), &h].concat()));
    let exporter = Arc::new(exporter);
    futures_util::stream::unfold((Some(first), Some(query)), move |(head, query)| {
        let store = store.clone();
        let exporter = exporter.clone();
        async move {
            if let Some(h) = head {
                return Some((h, (None, query)));
            }
            let mut q = query?;
            match store.list(object, &q).await {
                Ok(page) => {
                    let rows: Vec<Vec<String>> = page.items.iter().map(|r| exporter.row(r)).collect();
                    let next = page.next.map(|n| {
                        q.after = Some(n);
                        q
                    });
                    Some((encode(&rows), (None, next)))
                }
                Err(e) => Some((Err(std::io::Error::other(e.to_string())), (None, None))),
            }
        }
    })
}
