//! CSV export of any filtered list, streamed page by page.

use std::sync::Arc;

use bytes::Bytes;
use futures_util::Stream;
use leadline_core::property::PropertyDef;
use leadline_core::record::{self, ObjectKind};
use leadline_store::{ListQuery, Record, Store};

const PAGE: u32 = 1000;

/// The header row: id, the built-in fields, the lists, then one column per custom property.
pub fn header(object: ObjectKind, props: &[PropertyDef]) -> Vec<String> {
    let mut h = vec!["id".to_owned()];
    h.extend(record::fields(object).iter().map(|f| f.name.to_owned()));
    match object {
        ObjectKind::Contact => h.extend(["emails", "phones", "tags"].map(String::from)),
        ObjectKind::Deal => h.push("contact_ids".into()),
        ObjectKind::Company => {}
    }
    h.extend(props.iter().filter(|p| p.object == object).map(|p| format!("properties.{}", p.name)));
    h
}

pub fn row(r: &Record, props: &[PropertyDef]) -> Vec<String> {
    let mut v = vec![r.id.clone()];
    for (spec, value) in &r.fields {
        v.push(match (spec.kind, value) {
            (_, None) => String::new(),
            (record::FieldKind::Time, Some(record::Scalar::Int(ms))) => leadline_core::date::rfc3339(*ms),
            (_, Some(s)) => s.to_string(),
        });
    }
    match r.object {
        ObjectKind::Contact => {
            v.push(r.emails.join(";"));
            v.push(r.phones.join(";"));
            v.push(r.tags.join(";"));
        }
        ObjectKind::Deal => v.push(r.contact_ids.join(";")),
        ObjectKind::Company => {}
    }
    for p in props.iter().filter(|p| p.object == r.object) {
        v.push(match r.properties.get(&p.name) {
            None | Some(serde_json::Value::Null) => String::new(),
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(serde_json::Value::Array(a)) => a.iter().filter_map(|x| x.as_str()).collect::<Vec<_>>().join(";"),
            Some(other) => other.to_string(),
        });
    }
    v
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
    props: Vec<PropertyDef>,
) -> impl Stream<Item = Result<Bytes, std::io::Error>> {
    query.limit = PAGE;
    let first = encode(&[header(object, &props)]);
    futures_util::stream::unfold((Some(first), Some(query)), move |(head, query)| {
        let store = store.clone();
        let props = props.clone();
        async move {
            if let Some(h) = head {
                return Some((h, (None, query)));
            }
            let mut q = query?;
            match store.list(object, &q).await {
                Ok(page) => {
                    let rows: Vec<Vec<String>> = page.items.iter().map(|r| row(r, &props)).collect();
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
