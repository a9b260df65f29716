//! The embedded stylesheet, script and icon, served with long cache lifetimes: their URLs carry
//! a hash of their content (see [`url`]).

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use rust_embed::Embed;

#[derive(Embed)]
#[folder = "assets/"]
struct Assets;

/// An asset's URL with a version derived from its content, so a new binary never meets a
/// stale cached copy.
pub fn url(name: &str) -> String {
    static VERSION: LazyLock<String> = LazyLock::new(|| {
        let mut names: Vec<_> = Assets::iter().collect();
        names.sort();
        let mut all = String::new();
        for n in names {
            if let Some(f) = Assets::get(&n) {
                all.extend(f.metadata.sha256_hash().iter().map(|b| format!("{b:02x}")));
            }
        }
        crate::auth::hash_secret(&all)[..12].to_owned()
    });
    format!("/assets/{name}?v={}", *VERSION)
}

pub async fn serve(Path(path): Path<String>) -> Response {
    let Some(file) = Assets::get(&path) else {
        return (StatusCode::NOT_FOUND, "no such asset").into_response();
    };
    let kind = match path.rsplit('.').next() {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    };
    (
        [(header::CONTENT_TYPE, kind), (header::CACHE_CONTROL, "public, max-age=31536000, immutable")],
        file.data.into_owned(),
    )
        .into_response()
}
