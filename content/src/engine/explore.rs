//! Exhaustive exploration of a module's reachable states, for the linter and the tests.
//!
//! Every *control state* reachable through [`State::actions`] is visited once. A control state is
//! what decides what can happen next: the node, the phase, the variables, and only the history and
//! scores that some condition reads. Competency scores are not part of it (unless a condition
//! reads them): they only add up along a path, so their ranges come from longest and shortest
//! paths over the state graph, with each edge carrying the score changes of its action. This keeps
//! the search linear in the module's real branching instead of exponential in its path count.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use super::{Action, State};
use crate::expr::Func;
use crate::model::{Id, Module, NodeKind, Route};

#[derive(Debug, Clone, Default)]
pub struct Exploration {
    /// Each reachable ending, with one shortest path (of actions from the start) to it.
    pub endings: BTreeMap<Id, Vec<Action>>,
    pub visited_nodes: BTreeSet<Id>,
    /// Choices that are visible in at least one reachable state.
    pub visible_choices: BTreeSet<Id>,
    /// Highest and lowest running total of each competency at any ending (`None`: unbounded,
    /// because a loop can add to it forever).
    pub max_at_end: BTreeMap<Id, Option<i64>>,
    pub min_at_end: BTreeMap<Id, Option<i64>>,
    /// For each ending, the path with the highest total score (all competencies added, before
    /// clamping) and that path's per-competency totals.
    pub best_at_ending: BTreeMap<Id, (Vec<Action>, BTreeMap<Id, i64>)>,
    /// States with nothing to do that are not endings: (node, a path there).
    pub stuck: Vec<(Id, Vec<Action>)>,
    /// Nodes of reachable states from which no ending can be reached.
    pub no_exit: BTreeSet<Id>,
    /// Distinct control states explored.
    pub states: usize,
    /// True when `limit` stopped the search early: the facts above are then incomplete.
    pub truncated: bool,
}

struct Edge {
    from: usize,
    to: usize,
    action: Action,
    /// Score change per competency (in framework order).
    delta: Vec<i64>,
}

/// Explores from the start in the source language with seed 0, visiting at most `limit` states.
pub fn explore(m: &Module, limit: usize) -> Exploration {
    let comps: Vec<&str> = m.framework.competencies.iter().map(|c| c.id.as_str()).collect();
    let scores_of =
        |s: &State| comps.iter().map(|c| s.scores.get(*c).copied().unwrap_or(0)).collect::<Vec<i64>>();
    let refs = Referenced::of(m);
    let mut ex = Exploration::default();
    let (start, _) = State::start(m, &m.source_lang, 0, 0);
    let mut parent: Vec<Option<usize>> = vec![None]; // BFS tree: index of the edge that found it
    let mut is_end = vec![false];
    let mut node_of = vec![start.at(m).to_string()];
    let mut edges: Vec<Edge> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::from([(refs.key(m, &start), 0)]);
    let mut queue = VecDeque::from([(0usize, start)]);
    while let Some((i, state)) = queue.pop_front() {
        let view = state.view(m);
        ex.visited_nodes.insert(view.node.id.clone());
        ex.visible_choices.extend(view.choices.iter().map(|c| c.id.clone()));
        if state.is_finished() {
            is_end[i] = true;
            continue;
        }
        // Going back only returns to states already seen; leaving it out keeps the graph a record
        // of forward progress, which is what "stuck" and "no way out" are about.
        let mut moved = false;
        for action in state.actions(m).into_iter().filter(|a| *a != Action::Back) {
            let mut next = state.clone();
            if next.apply(m, action.clone(), 0).is_err() {
                continue;
            }
            moved = true;
            let delta: Vec<i64> =
                scores_of(&next).iter().zip(scores_of(&state)).map(|(a, b)| a - b).collect();
            let k = refs.key(m, &next);
            let j = match index.get(&k) {
                Some(&j) => j,
                None if index.len() >= limit => {
                    ex.truncated = true;
                    continue;
                }
                None => {
                    let j = parent.len();
                    index.insert(k, j);
                    parent.push(Some(edges.len()));
                    is_end.push(false);
                    node_of.push(next.at(m).to_string());
                    queue.push_back((j, next));
                    j
                }
            };
            edges.push(Edge { from: i, to: j, action, delta });
        }
        if !moved {
            ex.stuck.push((view.node.id.clone(), path_to(&parent, &edges, i)));
        }
    }
    let n = parent.len();
    ex.states = n;
    for i in (0..n).filter(|&i| is_end[i]) {
        ex.endings.entry(node_of[i].clone()).or_insert_with(|| path_to(&parent, &edges, i));
    }

    // Score ranges: longest and shortest paths from the start, per competency.
    for (c, id) in comps.iter().enumerate() {
        let hi = extreme(n, &edges, |e| e.delta[c]);
        let lo = extreme(n, &edges, |e| -e.delta[c]);
        let at_end = |v: &[Option<i64>], sign: i64| {
            (0..n).filter(|&i| is_end[i]).try_fold(None::<i64>, |acc, i| {
                let x = v[i].map(|x| x * sign)?;
                Some(Some(acc.map_or(x, |a: i64| if sign > 0 { a.max(x) } else { a.min(x) })))
            })
        };
        // No ending reached at all: there is no range to report (the stuck states say why).
        if let Some(Some(x)) = at_end(&hi.best, 1) {
            ex.max_at_end.insert(id.to_string(), Some(x));
        } else if !ex.endings.is_empty() {
            ex.max_at_end.insert(id.to_string(), None);
        }
        if let Some(Some(x)) = at_end(&lo.best, -1) {
            ex.min_at_end.insert(id.to_string(), Some(x));
        } else if !ex.endings.is_empty() {
            ex.min_at_end.insert(id.to_string(), None);
        }
    }
    // The best path to each ending by total score, for `hearth play --endings` and the tests.
    let total = extreme(n, &edges, |e| e.delta.iter().sum());
    for i in (0..n).filter(|&i| is_end[i]) {
        let Some(best) = total.best[i] else { continue };
        let id = &node_of[i];
        let better = ex.best_at_ending.get(id).is_none_or(|(_, s)| s.values().sum::<i64>() < best);
        if better {
            let path_edges = total.path(&edges, i);
            let mut scores: BTreeMap<Id, i64> = comps.iter().map(|c| (c.to_string(), 0)).collect();
            for &e in &path_edges {
                for (c, d) in comps.iter().zip(&edges[e].delta) {
                    *scores.get_mut(*c).expect("every competency") += d;
                }
            }
            let actions = path_edges.iter().map(|&e| edges[e].action.clone()).collect();
            ex.best_at_ending.insert(id.clone(), (actions, scores));
        }
    }

    // States that can still reach an ending (or a stuck state, reported on its own): propagate
    // backwards until nothing changes.
    let mut can_end = is_end.clone();
    for (i, end) in can_end.iter_mut().enumerate() {
        *end |= !edges.iter().any(|e| e.from == i);
    }
    loop {
        let mut changed = false;
        for e in &edges {
            if !can_end[e.from] && can_end[e.to] {
                can_end[e.from] = true;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    if !ex.truncated {
        for (i, ok) in can_end.iter().enumerate() {
            if !ok {
                ex.no_exit.insert(node_of[i].clone());
            }
        }
    }
    ex
}

fn path_to(parent: &[Option<usize>], edges: &[Edge], mut i: usize) -> Vec<Action> {
    let mut path = Vec::new();
    while let Some(e) = parent[i] {
        path.push(edges[e].action.clone());
        i = edges[e].from;
    }
    path.reverse();
    path
}

/// Longest paths from state 0 under `weight`. `best[i]` is `None` when state `i` is unreachable or
/// a loop can raise its value without bound.
struct Longest {
    best: Vec<Option<i64>>,
    via: Vec<Option<usize>>,
}

impl Longest {
    fn path(&self, edges: &[Edge], mut i: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let mut guard = 0;
        while let Some(e) = self.via[i] {
            out.push(e);
            i = edges[e].from;
            guard += 1;
            if guard > edges.len() {
                break;
            }
        }
        out.reverse();
        out
    }
}

/// Bellman–Ford relaxation. Edges were recorded in breadth-first order, so a module without loops
/// settles in a few passes; values still rising after as many passes as there are states sit on a
/// loop that adds score, and are reported as unbounded.
fn extreme(n: usize, edges: &[Edge], weight: impl Fn(&Edge) -> i64) -> Longest {
    let mut best: Vec<Option<i64>> = vec![None; n];
    let mut via = vec![None; n];
    best[0] = Some(0);
    let mut unbounded = vec![false; n];
    for pass in 0..=n {
        let mut changed = false;
        for (k, e) in edges.iter().enumerate() {
            let Some(b) = best[e.from] else { continue };
            let cand = b.saturating_add(weight(e));
            if best[e.to].is_none_or(|x| cand > x) {
                best[e.to] = Some(cand);
                via[e.to] = Some(k);
                changed = true;
                if pass == n {
                    unbounded[e.to] = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    // Anything reachable from an unbounded state is unbounded too.
    let mut spread = true;
    while spread {
        spread = false;
        for e in edges {
            if unbounded[e.from] && !unbounded[e.to] {
                unbounded[e.to] = true;
                spread = true;
            }
        }
    }
    for (b, u) in best.iter_mut().zip(&unbounded) {
        if *u {
            *b = None;
        }
    }
    Longest { best, via }
}

/// The ids and competencies that some condition reads. History that no condition reads (which
/// nodes were visited, which choices made) cannot change what happens next, so it is left out of
/// the key; so are scores no condition reads (see the module comment).
struct Referenced {
    ids: BTreeSet<String>,
    scores: BTreeSet<String>,
}

impl Referenced {
    fn of(m: &Module) -> Referenced {
        let mut r = Referenced { ids: BTreeSet::new(), scores: BTreeSet::new() };
        let mut add = |e: &crate::expr::Expr| {
            for (f, id) in e.calls() {
                if f == Func::Score {
                    r.scores.insert(id.to_string());
                } else {
                    r.ids.insert(id.to_string());
                }
            }
        };
        for n in &m.nodes {
            let routes: Vec<&Route> = match &n.kind {
                NodeKind::Narrative { routes }
                | NodeKind::Reflection { routes, .. }
                | NodeKind::Quiz { routes, .. } => routes.iter().collect(),
                NodeKind::Decision { choices, .. } => {
                    for c in choices {
                        if let Some(e) = &c.visible_if {
                            add(e);
                        }
                    }
                    choices.iter().flat_map(|c| &c.routes).collect()
                }
                NodeKind::Ending { .. } => Vec::new(),
            };
            for r in routes {
                if let Some(e) = &r.when {
                    add(e);
                }
            }
        }
        r
    }

    /// Everything that can change what happens next, but not timing, the log, the path, unread
    /// history or unread scores.
    fn key(&self, m: &Module, s: &State) -> String {
        let read =
            |set: &BTreeSet<Id>| set.iter().filter(|i| self.ids.contains(*i)).cloned().collect::<Vec<_>>();
        let answers: Vec<_> = s
            .answers
            .iter()
            .filter(|(k, _)| self.ids.contains(*k))
            .map(|(k, (sc, ok))| (k, sc.to_bits(), ok))
            .collect();
        let scores: Vec<_> = s.scores.iter().filter(|(k, _)| self.scores.contains(*k)).collect();
        // Points earned in a quiz matter only when some condition reads whether it was passed.
        let read_pass = m.nodes.get(s.at).is_some_and(|n| self.ids.contains(&n.id));
        let quiz = s.quiz.as_ref().map(|q| {
            let points = read_pass.then(|| (q.earned.to_bits(), q.possible.to_bits()));
            (q.order.clone(), q.current, q.attempts, points)
        });
        format!(
            "{}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}",
            s.at,
            s.phase,
            s.vars,
            scores,
            read(&s.visited),
            read(&s.chosen),
            answers,
            read(&s.passed_quizzes),
            quiz
        )
    }
}
