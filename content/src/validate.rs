//! The linter: checks that need the whole module — reachability, ways out, endings — run after
//! loading. Every finding points at the id it is about.

use std::collections::{BTreeSet, VecDeque};

use crate::diag::{Diagnostic, Severity};
use crate::engine::{Action, explore};
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
    // The state-space checks repeat graph problems in other words, so they run on a sound graph.
    if found.iter().all(|d| d.severity != Severity::Error) {
        state_checks(m, &loaded, &mut found);
    }
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
        NodeKind::Decision { choices, .. } => {
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

/// How many states the linter explores before it gives up on a module (and says so).
pub const EXPLORE_LIMIT: usize = 200_000;

/// Checks that need the conditions and the state: they come from exploring every reachable state
/// with the engine itself, so they hold for the real player.
fn state_checks(m: &Module, loaded: &Loaded, out: &mut Vec<Diagnostic>) {
    let ex = explore(m, EXPLORE_LIMIT);
    let node_span = |id: &str| loaded.index.get("node", id);
    if ex.truncated {
        out.push(
            Diagnostic::warning("too-many-states", node_span(&m.start), format!("the module has more than {EXPLORE_LIMIT} distinct states; the checks that depend on conditions were stopped there"))
                .with_hint("conditions on many variables multiply states; fewer variables, or fewer values, keep a module checkable"),
        );
        return;
    }
    let describe = |path: &[Action]| {
        let steps: Vec<String> = path
            .iter()
            .filter_map(|a| match a {
                Action::Choose { choice } => Some(choice.clone()),
                _ => None,
            })
            .collect();
        if steps.is_empty() {
            "right from the start".to_string()
        } else {
            format!("after choosing {}", steps.join(", "))
        }
    };
    for n in &m.nodes {
        // Behind a state where learners get stuck, everything looks unreachable: say "stuck" only.
        if !ex.visited_nodes.contains(&n.id) && ex.stuck.is_empty() {
            let what = if matches!(n.kind, NodeKind::Ending { .. }) { "ending" } else { "node" };
            out.push(
                Diagnostic::error("never-reached", node_span(&n.id), format!("the conditions never let a learner reach the {what} `{}`", n.id))
                    .with_hint("every path to it passes a condition that cannot hold there; check the `if:` on the routes and choices leading to it"),
            );
        }
        if let NodeKind::Decision { choices, .. } = &n.kind {
            if !ex.visited_nodes.contains(&n.id) {
                continue;
            }
            for c in choices.iter().filter(|c| !ex.visible_choices.contains(&c.id)) {
                let cond = c.visible_if.as_ref().map(|e| format!(" (`if: {e}`)")).unwrap_or_default();
                out.push(
                    Diagnostic::error(
                        "never-visible",
                        loaded.index.get("choice", &c.id),
                        format!("the choice `{}` is never shown{cond}", c.id),
                    )
                    .with_hint("no reachable state makes its condition true"),
                );
            }
        }
    }
    for (node, path) in &ex.stuck {
        out.push(
            Diagnostic::error(
                "stuck",
                node_span(node),
                format!("a learner can get stuck at `{node}`: nothing can be done there {}", describe(path)),
            )
            .with_hint(
                "no choice is visible or no route matches in that state; add a choice or route without `if`",
            ),
        );
    }
    for node in &ex.no_exit {
        out.push(
            Diagnostic::error("no-way-out", node_span(node), format!("from `{node}` some learners can never reach an ending"))
                .with_hint("in some states the only ways on lead back here; make sure a loop has a way out that its conditions allow"),
        );
    }
    for c in &m.framework.competencies {
        let span = loaded.index.get("competency-max", &c.id);
        match ex.max_at_end.get(&c.id).copied() {
            // No ending is reachable at all; the stuck states and ways out say why.
            None => {}
            Some(None) => out.push(
                Diagnostic::error("max-unbounded", span, format!("a loop can add to `{}` without end", c.id))
                    .with_hint(
                        "scores in a loop keep adding up each time round; move the effect out of the loop",
                    ),
            ),
            Some(Some(best)) if best > i64::from(c.max) => out.push(
                Diagnostic::error(
                    "max-exceeded",
                    span,
                    format!("a path reaches {best} for `{}`, above its `max: {}`", c.id, c.max),
                )
                .with_hint(format!("set `max: {best}`, or lower the effects on the best path")),
            ),
            Some(Some(best)) if best < i64::from(c.max) => out.push(
                Diagnostic::error(
                    "max-unreachable",
                    span,
                    format!("no path reaches the `max: {}` of `{}`; the best gives {best}", c.max, c.id),
                )
                .with_hint(format!("set `max: {best}`, or add to `{}` on the best path", c.id)),
            ),
            Some(Some(_)) => {}
        }
    }
}
