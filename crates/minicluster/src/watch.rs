//! Watch streams: events after a resourceVersion, bookmarks, selector transitions.

use crate::Cluster;
use crate::api::present;
use crate::registry::ResourceType;
use crate::selectors::{FieldSelector, LabelSelector};
use crate::status::ApiError;
use crate::store::{Event, EventType};
use crate::util;
use axum::body::{Body, Bytes};
use axum::response::Response;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

/// What a watch selects and how it starts.
pub struct WatchRequest {
    pub rt: Arc<ResourceType>,
    pub version: String,
    pub namespace: Option<String>,
    pub name: Option<String>,
    pub labels: LabelSelector,
    pub fields: FieldSelector,
    pub resource_version: Option<String>,
    pub bookmarks: bool,
    pub send_initial_events: bool,
    pub timeout: Duration,
    pub table: bool,
}

impl WatchRequest {
    fn selects(&self, obj: &Value) -> bool {
        if let Some(ns) = &self.namespace
            && util::namespace_of(obj) != ns
        {
            return false;
        }
        if let Some(n) = &self.name
            && util::name_of(obj) != n
        {
            return false;
        }
        self.labels.matches(&util::labels_of(obj)) && self.fields.matches(obj)
    }

    fn frame(&self, ty: &str, obj: &Value, first_table: &mut bool) -> Bytes {
        let o = present(obj, &self.rt, &self.version);
        let object = if self.table {
            let t = crate::table::table(&self.rt, &self.version, &[o], 0, None, *first_table);
            *first_table = false;
            t
        } else {
            o
        };
        let mut line =
            serde_json::to_vec(&json!({"type": ty, "object": object})).unwrap_or_default();
        line.push(b'\n');
        Bytes::from(line)
    }

    fn translate(&self, ev: &Event) -> Option<&'static str> {
        if ev.key != self.rt.key() {
            return None;
        }
        let now = self.selects(&ev.object);
        let before = ev.prev.as_ref().is_some_and(|p| self.selects(p));
        match ev.type_ {
            EventType::Added => now.then_some("ADDED"),
            EventType::Deleted => before.then_some("DELETED"),
            EventType::Modified => match (before, now) {
                (true, true) => Some("MODIFIED"),
                (false, true) => Some("ADDED"),
                (true, false) => Some("DELETED"),
                (false, false) => None,
            },
        }
    }
}

fn bookmark(rt: &ResourceType, version: &str, rv: u64, initial_end: bool) -> Bytes {
    let mut meta = json!({"resourceVersion": rv.to_string()});
    if initial_end {
        meta["annotations"] = json!({"k8s.io/initial-events-end": "true"});
    }
    let mut line = serde_json::to_vec(&json!({"type": "BOOKMARK", "object": {"kind": rt.kind, "apiVersion": rt.api_version(version), "metadata": meta}})).unwrap_or_default();
    line.push(b'\n');
    Bytes::from(line)
}

fn error_frame(e: &ApiError) -> Bytes {
    let mut line =
        serde_json::to_vec(&json!({"type": "ERROR", "object": e.to_status()})).unwrap_or_default();
    line.push(b'\n');
    Bytes::from(line)
}

/// Starts a watch and answers with its stream.
pub fn watch(cluster: &Arc<Cluster>, req: WatchRequest) -> Response {
    let (tx, rx) = futures::channel::mpsc::channel::<Result<Bytes, std::convert::Infallible>>(256);
    let mut first_table = true;
    let mut initial: Vec<Bytes> = Vec::new();
    let subscription = {
        let state = match cluster.state.lock() {
            Ok(s) => s,
            Err(p) => p.into_inner(),
        };
        let rv_param = req.resource_version.clone().unwrap_or_default();
        let from_now = rv_param.is_empty() || rv_param == "0" || req.send_initial_events;
        if from_now {
            let ns = req.namespace.as_deref();
            for (_, obj) in state.list(&req.rt.key(), ns) {
                if req.selects(obj) {
                    initial.push(req.frame("ADDED", obj, &mut first_table));
                }
            }
            let rv = state.resource_version();
            if req.send_initial_events && req.bookmarks {
                initial.push(bookmark(&req.rt, &req.version, rv, true));
            }
            state.subscribe(rv).map(|(past, rx)| (past, rx, rv))
        } else {
            match rv_param.parse::<u64>() {
                Ok(n) => state.subscribe(n).map(|(past, rx)| (past, rx, n)),
                Err(_) => Err(ApiError::bad_request(format!(
                    "resourceVersion: Invalid value: {rv_param:?}: must be a valid resource version"
                ))),
            }
        }
    };
    let (past, mut live, mut last_rv) = match subscription {
        Ok(x) => x,
        Err(e) => {
            if e.code == 400 {
                return crate::http::error_response(&e);
            }
            // Kubernetes answers 200 and a single ERROR event for a too-old version.
            let body = error_frame(&e);
            return Response::builder()
                .status(200)
                .header("content-type", "application/json")
                .body(Body::from(body))
                .unwrap_or_default();
        }
    };
    tokio::spawn(async move {
        let mut tx = tx;
        use futures::SinkExt;
        for b in initial {
            if tx.send(Ok(b)).await.is_err() {
                return;
            }
        }
        for ev in past {
            last_rv = ev.rv;
            if let Some(ty) = req.translate(&ev)
                && tx
                    .send(Ok(req.frame(ty, &ev.object, &mut first_table)))
                    .await
                    .is_err()
            {
                return;
            }
        }
        let deadline = tokio::time::Instant::now() + req.timeout;
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        tick.tick().await;
        let mut sent_since_bookmark = true;
        loop {
            tokio::select! {
                _ = tokio::time::sleep_until(deadline) => return,
                _ = tick.tick() => {
                    if req.bookmarks && !sent_since_bookmark {
                        if tx.send(Ok(bookmark(&req.rt, &req.version, last_rv, false))).await.is_err() {
                            return;
                        }
                    } else if tx.is_closed() {
                        return;
                    }
                    sent_since_bookmark = false;
                }
                ev = live.recv() => match ev {
                    Ok(ev) => {
                        if ev.rv <= last_rv {
                            continue;
                        }
                        last_rv = ev.rv;
                        if let Some(ty) = req.translate(&ev) {
                            sent_since_bookmark = true;
                            if tx.send(Ok(req.frame(ty, &ev.object, &mut first_table))).await.is_err() {
                                return;
                            }
                        }
                    }
                    Err(RecvError::Lagged(_)) | Err(RecvError::Closed) => return,
                }
            }
        }
    });
    Response::builder()
        .status(200)
        .header("content-type", "application/json")
        .body(Body::from_stream(rx))
        .unwrap_or_default()
}
