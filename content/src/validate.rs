//! The linter: checks that need the whole module — reachability, ways out, endings — run after
//! loading. Every finding points at the id it is about.

use std::collections::{BTreeSet, VecDeque};

use crate::diag::{Diagnostic, Severity};
use crate::load::Loaded;
use crate::model::{Module, Node, NodeKind};

/// Runs every check on a loaded module and adds its findings to `loaded.diagnostics`.
pub fn check(mut loaded: Loaded) -> Loaded {
    let Some(m) = &loaded.module else { return loaded };
    // Graph checks on a module that did not load cleanly would mostly repeat the load errors
    // (a node that failed to load makes everything after it "unreachable"), so they wait.
    if loaded.diagnostics.iter().any(|d| d.severity == Severity::Error) {
        return loaded;
    }
    let mut found = Vec::new();
    graph_checks(m, &loaded, &mut found);
    loaded.diagnostics.extend(found);
    loaded.diagnostics.sort_by_key(|d| (d.span.map(|s| (s.file, s.start)), d.severity));
    loaded.diagnostics.dedup();
    loaded
}

/// The ids of the nodes each node can lead to, ignoring conditions.
pub fn successors(node: &Node) -> Vec<&str> {
    match &node.kind {
        NodeKind::Narrative { routes }
        | NodeKind::Reflection { routes, .. }
        | NodeKind::Quiz { routes, .. } => routes.iter().map(|r| r.next.as_str()).collect(),
        NodeKind::Decision { choices } => {
            choices.iter().flat_map(|c| c.routes.iter().map(|r| r.next.as_str())).collect()
        }
        NodeKind::Ending { .. } => Vec::new(),
    }
}

/// Structural checks on the node graph, with conditions ignored: what no path can reach, and
/// where no path leads to an ending. (Checks that depend on conditions and state are in the
/// explorer-based pass.)
fn graph_checks(m: &Module, loaded: &Loaded, out: &mut Vec<Diagnostic>) {
    let span = |id: &str| loaded.index.get("node", id);
    if !m.nodes.iter().any(|n| matches!(n.kind, NodeKind::Ending { .. })) {
        out.push(
            Diagnostic::error(
                "no-ending",
                loaded.index.get("node", &m.nodes.first().map(|n| n.id.clone()).unwrap_or_default()),
                "the module has no ending",
            )
            .with_hint("add a node with `kind: ending` and a `band`"),
        );
    }
    // Forward: what the start reaches.
    let mut reached = BTreeSet::new();
    let mut queue = VecDeque::from([m.start.as_str()]);
    while let Some(id) = queue.pop_front() {
        if !reached.insert(id) {
            continue;
        }
        if let Some(n) = m.node(id) {
            queue.extend(successors(n));
        }
    }
    for n in &m.nodes {
        if !reached.contains(n.id.as_str()) {
            let what = if matches!(n.kind, NodeKind::Ending { .. }) { "ending" } else { "node" };
            out.push(
                Diagnostic::error(
                    "unreachable",
                    span(&n.id),
                    format!("no path from the start reaches the {what} `{}`", n.id),
                )
                .with_hint("link to it from another node's `next`, a choice or a route, or remove it"),
            );
        }
    }
    // Backward: what can still reach an ending.
    let mut can_end: BTreeSet<&str> =
        m.nodes.iter().filter(|n| matches!(n.kind, NodeKind::Ending { .. })).map(|n| n.id.as_str()).collect();
    loop {
        let before = can_end.len();
        for n in &m.nodes {
            if successors(n).iter().any(|s| can_end.contains(s)) {
                can_end.insert(n.id.as_str());
            }
        }
        if can_end.len() == before {
            break;
        }
    }
    let has_ending = m.nodes.iter().any(|n| matches!(n.kind, NodeKind::Ending { .. }));
    for n in m.nodes.iter().filter(|_| has_ending) {
        if reached.contains(n.id.as_str()) && !can_end.contains(n.id.as_str()) && !successors(n).is_empty() {
            out.push(
                Diagnostic::error(
                    "no-way-out",
                    span(&n.id),
                    format!("from `{}` no path leads to an ending", n.id),
                )
                .with_hint("this node is in a loop with no exit; add a choice or route that leaves it"),
            );
        }
    }
}
