//! Users, sessions, API tokens and the property schema.

use leadline_core::property::{PropertyDef, PropertyType};
use leadline_core::record::ObjectKind;
use leadline_core::role::{Role, TokenScope};
use leadline_core::Millis;

use super::{int, query, req_int, req_text, sql, text, DbRow, SqlStore};
use crate::error::{StoreError, StoreResult};
use crate::model::{ApiToken, Session, User, UserChanges};
use crate::sql::new_id;

const USER_COLUMNS: &str = "id, email, name, role, password_hash, disabled, locale, created_at";
const TOKEN_COLUMNS: &str = "id, user_id, name, scope, prefix, created_at, last_used_at, revoked_at";

fn user_of(row: &DbRow) -> StoreResult<User> {
    user_with_prefix(row, "")
}

/// A user from a row whose user columns carry a prefix (`u_` when read through a join).
fn user_with_prefix(row: &DbRow, prefix: &str) -> StoreResult<User> {
    let col = |name: &str| format!("{prefix}{name}");
    let role = req_text(row, &col("role"))?;
    Ok(User {
        id: req_text(row, &col("id"))?,
        email: req_text(row, &col("email"))?,
        name: text(row, &col("name"))?,
        role: Role::parse(&role).ok_or_else(|| StoreError::Corrupt(format!("role {role}")))?,
        password_hash: text(row, &col("password_hash"))?,
        disabled: req_int(row, &col("disabled"))? != 0,
        locale: text(row, &col("locale"))?,
        created_at: req_int(row, &col("created_at"))?,
    })
}

fn token_of(row: &DbRow) -> StoreResult<ApiToken> {
    let scope = req_text(row, "scope")?;
    Ok(ApiToken {
        id: req_text(row, "id")?,
        user_id: req_text(row, "user_id")?,
        name: req_text(row, "name")?,
        scope: TokenScope::parse(&scope).ok_or_else(|| StoreError::Corrupt(format!("scope {scope}")))?,
        prefix: req_text(row, "prefix")?,
        created_at: req_int(row, "created_at")?,
        last_used_at: int(row, "last_used_at")?,
        revoked_at: int(row, "revoked_at")?,
    })
}

const JOINED_USER: &str = "u.id AS u_id, u.email AS u_email, u.name AS u_name, u.role AS u_role, \
    u.password_hash AS u_password_hash, u.disabled AS u_disabled, u.locale AS u_locale, u.created_at AS u_created_at";

#[async_trait::async_trait]
impl crate::UserStore for SqlStore {
    async fn create_user(
        &self,
        email: &str,
        name: Option<&str>,
        role: Role,
        password_hash: Option<&str>,
        now: Millis,
    ) -> StoreResult<User> {
        let mut tx = self.begin().await?;
        let taken: Option<String> =
            sqlx::query_scalar("SELECT id FROM users WHERE email = $1").bind(email).fetch_optional(&mut *tx).await?;
        if taken.is_some() {
            return Err(StoreError::conflict("email_taken", "email", format!("a user with e-mail {email} exists")));
        }
        let id = new_id();
        sqlx::query("INSERT INTO users (id, email, name, role, password_hash, disabled, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 0, $6, $6)")
            .bind(&id)
            .bind(email)
            .bind(name)
            .bind(role.as_str())
            .bind(password_hash)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.user(&id).await
    }

    async fn user(&self, id: &str) -> StoreResult<User> {
        let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.reader)
            .await?;
        user_of(&row.ok_or_else(|| StoreError::not_found("user", id))?)
    }

    async fn user_by_email(&self, email: &str) -> StoreResult<Option<User>> {
        let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE email = $1"))
            .bind(email.trim().to_lowercase())
            .fetch_optional(&self.reader)
            .await?;
        row.as_ref().map(user_of).transpose()
    }

    async fn users(&self) -> StoreResult<Vec<User>> {
        let rows =
            sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users ORDER BY email")).fetch_all(&self.reader).await?;
        rows.iter().map(user_of).collect()
    }

    async fn update_user(&self, id: &str, changes: UserChanges, now: Millis) -> StoreResult<User> {
        let mut tx = self.begin().await?;
        let ends_sessions = changes.disabled == Some(true) || changes.password_hash.is_some();
        let mut sql = sql("UPDATE users SET updated_at = ");
        sql.arg(now);
        if let Some(name) = changes.name {
            sql.push(", name = ").arg(name);
        }
        if let Some(role) = changes.role {
            sql.push(", role = ").arg(role.as_str());
        }
        if let Some(hash) = changes.password_hash {
            sql.push(", password_hash = ").arg(hash);
        }
        if let Some(disabled) = changes.disabled {
            sql.push(", disabled = ").arg(i64::from(disabled));
        }
        if let Some(locale) = changes.locale {
            sql.push(", locale = ").arg(locale);
        }
        sql.push(" WHERE id = ").arg(id);
        if query(&sql).execute(&mut *tx).await?.rows_affected() == 0 {
            return Err(StoreError::not_found("user", id));
        }
        if ends_sessions {
            // A disabled user or a new password ends every open session.
            sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        self.user(id).await
    }

    async fn count_users(&self) -> StoreResult<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(&self.reader).await?)
    }

    async fn create_session(
        &self,
        token_hash: &str,
        user_id: &str,
        csrf_token: &str,
        now: Millis,
        expires_at: Millis,
    ) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM sessions WHERE expires_at < $1").bind(now).execute(&mut *tx).await?;
        sqlx::query("INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(token_hash)
            .bind(user_id)
            .bind(csrf_token)
            .bind(now)
            .bind(expires_at)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn session(&self, token_hash: &str, now: Millis) -> StoreResult<Option<(Session, User)>> {
        let row = sqlx::query(&format!(
            "SELECT s.user_id, s.csrf_token, s.expires_at, {JOINED_USER} FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.disabled = 0"
        ))
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.reader)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let session = Session {
            user_id: req_text(&row, "user_id")?,
            csrf_token: req_text(&row, "csrf_token")?,
            expires_at: req_int(&row, "expires_at")?,
        };
        Ok(Some((session, user_with_prefix(&row, "u_")?)))
    }

    async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn create_token(
        &self,
        user_id: &str,
        name: &str,
        scope: TokenScope,
        token_hash: &str,
        prefix: &str,
        now: Millis,
    ) -> StoreResult<ApiToken> {
        let mut tx = self.begin().await?;
        let id = new_id();
        sqlx::query("INSERT INTO api_tokens (id, user_id, name, scope, token_hash, prefix, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(&id)
            .bind(user_id)
            .bind(name)
            .bind(scope.as_str())
            .bind(token_hash)
            .bind(prefix)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.token(&id).await
    }

    async fn use_token(&self, token_hash: &str, now: Millis) -> StoreResult<Option<(ApiToken, User)>> {
        let row = sqlx::query(&format!(
            "SELECT t.id, t.user_id, t.name, t.scope, t.prefix, t.created_at, t.last_used_at, t.revoked_at, {JOINED_USER} \
             FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.disabled = 0"
        ))
        .bind(token_hash)
        .fetch_optional(&self.reader)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let token = token_of(&row)?;
        // Last-used is informational: record it at most once a minute to keep reads cheap.
        if token.last_used_at.is_none_or(|t| now - t > 60_000) {
            let mut tx = self.begin().await?;
            sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
                .bind(now)
                .bind(&token.id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        }
        Ok(Some((token, user_with_prefix(&row, "u_")?)))
    }

    async fn tokens(&self, user_id: Option<&str>) -> StoreResult<Vec<ApiToken>> {
        let mut sql = sql(&format!("SELECT {TOKEN_COLUMNS} FROM api_tokens"));
        if let Some(u) = user_id {
            sql.push(" WHERE user_id = ").arg(u);
        }
        sql.push(" ORDER BY created_at DESC");
        query(&sql).fetch_all(&self.reader).await?.iter().map(token_of).collect()
    }

    async fn token(&self, id: &str) -> StoreResult<ApiToken> {
        let row = sqlx::query(&format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.reader)
            .await?;
        token_of(&row.ok_or_else(|| StoreError::not_found("token", id))?)
    }

    async fn revoke_token(&self, id: &str, now: Millis) -> StoreResult<ApiToken> {
        let mut tx = self.begin().await?;
        let n = sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        if n == 0 {
            // Either unknown (404 from token()) or already revoked (idempotent).
            return self.token(id).await;
        }
        self.token(id).await
    }
}

#[async_trait::async_trait]
impl crate::SchemaStore for SqlStore {
    async fn define_property(&self, def: &PropertyDef, now: Millis) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let existing: Option<String> =
            sqlx::query_scalar("SELECT kind FROM properties WHERE object = $1 AND name = $2")
                .bind(def.object.as_str())
                .bind(&def.name)
                .fetch_optional(&mut *tx)
                .await?;
        if existing.is_some_and(|k| k != def.kind.as_str()) {
            return Err(StoreError::conflict(
                "property_type_change",
                "kind",
                format!("{} already exists with another type; delete it first", def.name),
            ));
        }
        sqlx::query(
            "INSERT INTO properties (object, name, label, kind, options, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (object, name) DO UPDATE SET label = excluded.label, options = excluded.options",
        )
        .bind(def.object.as_str())
        .bind(&def.name)
        .bind(&def.label)
        .bind(def.kind.as_str())
        .bind(serde_json::to_string(&def.options)?)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn properties(&self, object: Option<ObjectKind>) -> StoreResult<Vec<PropertyDef>> {
        let mut sql = sql("SELECT object, name, label, kind, options FROM properties");
        if let Some(o) = object {
            sql.push(" WHERE object = ").arg(o.as_str());
        }
        sql.push(" ORDER BY object, name");
        let rows = query(&sql).fetch_all(&self.reader).await?;
        rows.iter()
            .map(|row| {
                let (object, kind) = (req_text(row, "object")?, req_text(row, "kind")?);
                Ok(PropertyDef {
                    object: ObjectKind::parse(&object)
                        .ok_or_else(|| StoreError::Corrupt(format!("object {object}")))?,
                    name: req_text(row, "name")?,
                    label: req_text(row, "label")?,
                    kind: PropertyType::parse(&kind).ok_or_else(|| StoreError::Corrupt(format!("kind {kind}")))?,
                    options: serde_json::from_str(&req_text(row, "options")?)?,
                })
            })
            .collect()
    }

    async fn delete_property(&self, object: ObjectKind, name: &str) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let n = sqlx::query("DELETE FROM properties WHERE object = $1 AND name = $2")
            .bind(object.as_str())
            .bind(name)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::not_found("property", name));
        }
        tx.commit().await?;
        Ok(())
    }
}
