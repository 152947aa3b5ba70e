//! Output order: kustomize's legacy order (by kind rank, then gvk, then namespace/name)
//! or FIFO.

use crate::resource::{Gvk, ResId, ResMap};

const ORDER_FIRST: &[&str] = &[
    "Namespace",
    "ResourceQuota",
    "StorageClass",
    "CustomResourceDefinition",
    "ServiceAccount",
    "PodSecurityPolicy",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "ConfigMap",
    "Secret",
    "Endpoints",
    "Service",
    "LimitRange",
    "PriorityClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "Deployment",
    "StatefulSet",
    "CronJob",
    "PodDisruptionBudget",
];
const ORDER_LAST: &[&str] = &[
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

fn gvk_sort_string(g: &Gvk) -> String {
    let or = |s: &str, d: &str| {
        if s.is_empty() {
            d.to_string()
        } else {
            s.to_string()
        }
    };
    format!(
        "{}_{}_{}",
        or(&g.group, "~G"),
        or(&g.version, "~V"),
        or(&g.kind, "~K")
    )
}

fn gvk_string(g: &Gvk) -> String {
    let or = |s: &str, d: &str| {
        if s.is_empty() {
            d.to_string()
        } else {
            s.to_string()
        }
    };
    format!(
        "{}.{}.{}",
        or(&g.kind, "~K"),
        or(&g.version, "~V"),
        or(&g.group, "~G")
    )
}

fn id_sort_string(id: &ResId) -> String {
    let ns = if id.namespace.is_empty() {
        "~X"
    } else {
        &id.namespace
    };
    let name = if id.name.is_empty() { "~N" } else { &id.name };
    format!("{}|{}|{}", gvk_string(&id.gvk), ns, name)
}

/// kyaml's `Gvk.IsLessThan` as a key: the kind's legacy rank, then the stable sort string.
/// kustomize's merged transformer configuration keeps its field specs in this order.
pub fn gvk_order_key(g: &Gvk) -> (i64, String) {
    let rank = match ORDER_FIRST.iter().position(|k| *k == g.kind) {
        Some(i) => i as i64 - ORDER_FIRST.len() as i64,
        None => ORDER_LAST
            .iter()
            .position(|k| *k == g.kind)
            .map_or(0, |i| 1 + i as i64),
    };
    (rank, gvk_sort_string(g))
}

/// Sorts in kustomize's legacy order, with optional custom first/last kinds.
pub fn legacy(m: &mut ResMap, first: Option<&[String]>, last: Option<&[String]>) {
    let default_first: Vec<String> = ORDER_FIRST.iter().map(|s| s.to_string()).collect();
    let default_last: Vec<String> = ORDER_LAST.iter().map(|s| s.to_string()).collect();
    let first = first.map(<[String]>::to_vec).unwrap_or(default_first);
    let last = last.map(<[String]>::to_vec).unwrap_or(default_last);
    let rank = |kind: &str| -> i64 {
        let mut r = 0i64;
        if let Some(i) = first.iter().position(|k| k == kind) {
            r = i as i64 - first.len() as i64;
        }
        if let Some(i) = last.iter().position(|k| k == kind) {
            r = 1 + i as i64;
        }
        r
    };
    // Ids, ranks and sort strings once per object, not once per comparison.
    struct Key {
        id: ResId,
        rank: i64,
        gvk_sort: String,
        id_sort: String,
    }
    let mut keyed: Vec<(Key, crate::resource::Resource)> = std::mem::take(&mut m.items)
        .into_iter()
        .map(|r| {
            let id = r.cur_id();
            let key = Key {
                rank: rank(&id.gvk.kind),
                gvk_sort: gvk_sort_string(&id.gvk),
                id_sort: id_sort_string(&id),
                id,
            };
            (key, r)
        })
        .collect();
    keyed.sort_by(|(a, _), (b, _)| {
        let (ia, ib) = (&a.id, &b.id);
        if ia.gvk != ib.gvk {
            let (ra, rb) = (a.rank, b.rank);
            if ra != rb {
                return ra.cmp(&rb);
            }
            let (sa, sb) = (&a.gvk_sort, &b.gvk_sort);
            if ia.gvk.kind == "Namespace"
                && ib.gvk.kind == "Namespace"
                && (ia.gvk.group.is_empty() || ib.gvk.group.is_empty())
            {
                return sb.cmp(sa);
            }
            return sa.cmp(sb);
        }
        a.id_sort.cmp(&b.id_sort)
    });
    m.items = keyed.into_iter().map(|(_, r)| r).collect();
}
