//! The store over HTTP, as source-controller's file server: `GET`/`HEAD /<kind>/<ns>/<name>/<file>`
//! with a content length, 404 for what is not there, and nothing outside the store: no `..`,
//! no hidden files (lock, unfinished writes), and no link but `latest.tar.gz` to its sibling.

use super::{LATEST, Store};
use axum::body::Body;
use axum::extract::{Path as UrlPath, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

pub fn router(store: Store) -> axum::Router {
    axum::Router::new()
        .route("/{*path}", axum::routing::get(serve))
        .with_state(Arc::new(store))
}

async fn serve(State(store): State<Arc<Store>>, UrlPath(path): UrlPath<String>) -> Response {
    let Some(file) = resolve(store.root(), &path).await else {
        return (StatusCode::NOT_FOUND, "not found\n").into_response();
    };
    let Ok(handle) = tokio::fs::File::open(&file).await else {
        return (StatusCode::NOT_FOUND, "not found\n").into_response();
    };
    let Ok(meta) = handle.metadata().await else {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            "cannot read the artifact\n",
        )
            .into_response();
    };
    let content_type = if path.ends_with(".tar.gz") || path.ends_with(".tgz") {
        "application/gzip"
    } else if path.ends_with(".yaml") || path.ends_with(".yml") {
        "application/x-yaml"
    } else {
        "application/octet-stream"
    };
    let body = Body::from_stream(tokio_util::io::ReaderStream::new(handle));
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::CONTENT_LENGTH, meta.len())
        .body(body)
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

/// The file a URL path names inside `root`, or `None` when it is not a servable artifact.
async fn resolve(root: &Path, url_path: &str) -> Option<PathBuf> {
    let mut rel = PathBuf::new();
    for component in Path::new(url_path).components() {
        match component {
            Component::Normal(c) => {
                let c = c.to_str()?;
                if c.starts_with('.') {
                    return None;
                }
                rel.push(c);
            }
            // `..`, `.`, or an absolute path: never served.
            _ => return None,
        }
    }
    if rel.components().count() != 4 {
        return None;
    }
    let full = root.join(&rel);
    let meta = tokio::fs::symlink_metadata(&full).await.ok()?;
    if meta.is_file() {
        return Some(full);
    }
    if meta.file_type().is_symlink() && full.file_name()? == LATEST {
        // The link must name a plain sibling file.
        let target = tokio::fs::read_link(&full).await.ok()?;
        let mut parts = target.components();
        let only = parts.next()?;
        if parts.next().is_some() || !matches!(only, Component::Normal(_)) {
            return None;
        }
        let sibling = full.parent()?.join(target);
        let meta = tokio::fs::symlink_metadata(&sibling).await.ok()?;
        return meta.is_file().then_some(sibling);
    }
    None
}
