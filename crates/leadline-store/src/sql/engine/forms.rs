//! Forms and landing pages, and their daily conversion counts (see `FormStore`).

use super::{req_int, req_text, DbRow, SqlStore};
use crate::error::{StoreError, StoreResult};
use crate::sql::new_id;
use crate::{Conversions, FormRow, Hosted};

const COLUMNS: &str = "id, slug, name, site_id, body, created_at, updated_at";

/// The table and the words a kind of hosted thing is kept and named in.
fn table(kind: Hosted) -> (&'static str, &'static str, &'static str) {
    match kind {
        Hosted::Form => ("forms", "form", "/f/"),
        Hosted::Page => ("landing_pages", "landing page", "/p/"),
    }
}

fn form_of(row: &DbRow) -> StoreResult<FormRow> {
    Ok(FormRow {
        id: req_text(row, "id")?,
        slug: req_text(row, "slug")?,
        name: req_text(row, "name")?,
        site_id: req_text(row, "site_id")?,
        body: req_text(row, "body")?,
        created_at: req_int(row, "created_at")?,
        updated_at: req_int(row, "updated_at")?,
    })
}

#[async_trait::async_trait]
impl crate::FormStore for SqlStore {
    async fn save_form(&self, kind: Hosted, id: Option<&str>, form: &FormRow, now: i64) -> StoreResult<FormRow> {
        let (table, what, path) = table(kind);
        let mut tx = self.begin().await?;
        let taken: Option<String> = sqlx::query_scalar(&format!("SELECT id FROM {table} WHERE slug = $1"))
            .bind(&form.slug)
            .fetch_optional(&mut *tx)
            .await?;
        if taken.is_some_and(|t| Some(t.as_str()) != id) {
            return Err(StoreError::conflict(
                "slug_taken",
                "slug",
                format!("the address {path}{} is taken", form.slug),
            ));
        }
        let id = match id {
            Some(id) => {
                let done = sqlx::query(&format!(
                    "UPDATE {table} SET slug = $1, name = $2, site_id = $3, body = $4, updated_at = $5 WHERE id = $6"
                ))
                .bind(&form.slug)
                .bind(&form.name)
                .bind(&form.site_id)
                .bind(&form.body)
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::not_found(what, id));
                }
                id.to_owned()
            }
            None => {
                let id = new_id();
                sqlx::query(&format!("INSERT INTO {table} ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $6)"))
                    .bind(&id)
                    .bind(&form.slug)
                    .bind(&form.name)
                    .bind(&form.site_id)
                    .bind(&form.body)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                id
            }
        };
        let row =
            sqlx::query(&format!("SELECT {COLUMNS} FROM {table} WHERE id = $1")).bind(&id).fetch_one(&mut *tx).await?;
        tx.commit().await?;
        form_of(&row)
    }

    async fn form(&self, kind: Hosted, id: &str) -> StoreResult<FormRow> {
        let (table, what, _) = table(kind);
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM {table} WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.reader)
            .await?;
        form_of(&row.ok_or_else(|| StoreError::not_found(what, id))?)
    }

    async fn form_by_slug(&self, kind: Hosted, slug: &str) -> StoreResult<Option<FormRow>> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM {} WHERE slug = $1", table(kind).0))
            .bind(slug)
            .fetch_optional(&self.reader)
            .await?;
        row.as_ref().map(form_of).transpose()
    }

    async fn forms(&self, kind: Hosted) -> StoreResult<Vec<FormRow>> {
        let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM {} ORDER BY name, id", table(kind).0))
            .fetch_all(&self.reader)
            .await?;
        rows.iter().map(form_of).collect()
    }

    async fn delete_form(&self, kind: Hosted, id: &str) -> StoreResult<()> {
        let (table, what, _) = table(kind);
        let done = sqlx::query(&format!("DELETE FROM {table} WHERE id = $1")).bind(id).execute(&self.writer).await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found(what, id));
        }
        Ok(())
    }

    async fn count_conversion(&self, object_id: &str, variant: &str, day: i64, c: Conversions) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO conversion_days (object_id, variant, day, views, clicks, submissions) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (object_id, variant, day) DO UPDATE SET \
             views = conversion_days.views + excluded.views, clicks = conversion_days.clicks + excluded.clicks, \
             submissions = conversion_days.submissions + excluded.submissions",
        )
        .bind(object_id)
        .bind(variant)
        .bind(day)
        .bind(c.views)
        .bind(c.clicks)
        .bind(c.submissions)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn conversions(&self, object_id: &str, since_day: i64) -> StoreResult<Vec<(String, Conversions)>> {
        let rows: Vec<(String, i64, i64, i64)> = sqlx::query_as(
            "SELECT variant, CAST(SUM(views) AS BIGINT), CAST(SUM(clicks) AS BIGINT), CAST(SUM(submissions) AS BIGINT) \
             FROM conversion_days WHERE object_id = $1 AND day >= $2 GROUP BY variant ORDER BY variant",
        )
        .bind(object_id)
        .bind(since_day)
        .fetch_all(&self.reader)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(v, views, clicks, submissions)| (v, Conversions { views, clicks, submissions }))
            .collect())
    }
}
