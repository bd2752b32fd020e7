//! Graph rules over dependencies that need the whole graph: a new dependency must not close a
//! cycle. Kept pure so both store backends call the same check inside their transaction.

use std::collections::{HashMap, HashSet, VecDeque};

use crate::dependency::{NodeRef, NodeSummary};
use crate::error::{DomainError, FieldError, ValidationErrors};

/// If adding `predecessor -> successor` to `edges` (pairs predecessor, successor) closes a cycle,
/// returns the cycle as `[predecessor, successor, ..., predecessor]`; the shortest such one.
pub fn cycle_closed_by(edges: &[(NodeRef, NodeRef)], predecessor: NodeRef, successor: NodeRef) -> Option<Vec<NodeRef>> {
    if predecessor == successor {
        return Some(vec![predecessor, successor]);
    }
    let mut successors: HashMap<NodeRef, Vec<NodeRef>> = HashMap::new();
    for &(from, to) in edges {
        successors.entry(from).or_default().push(to);
    }
    // Breadth-first from the new successor: a path back to the predecessor closes the cycle.
    let mut came_from: HashMap<NodeRef, NodeRef> = HashMap::new();
    let mut seen: HashSet<NodeRef> = HashSet::from([successor]);
    let mut queue = VecDeque::from([successor]);
    while let Some(node) = queue.pop_front() {
        if node == predecessor {
            // Walk back to the successor, then put the new link in front.
            let mut path = vec![predecessor];
            let mut at = predecessor;
            while at != successor {
                at = came_from[&at];
                path.push(at);
            }
            path.push(predecessor);
            path.reverse();
            return Some(path);
        }
        for &next in successors.get(&node).map(Vec::as_slice).unwrap_or(&[]) {
            if seen.insert(next) {
                came_from.insert(next, node);
                queue.push_back(next);
            }
        }
    }
    None
}

/// The 422 a store returns for a dependency that would close `cycle` (as summaries, in order).
pub fn cycle_error(cycle: &[NodeSummary]) -> DomainError {
    let names: Vec<String> =
        cycle.iter().map(|n| format!("\"{}\" ({} {})", n.title, n.node.type_name(), n.node.id_string())).collect();
    DomainError::Validation(ValidationErrors::from(FieldError::new(
        "successor",
        "cycle",
        format!("this dependency would close a cycle: {}", names.join(" -> ")),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{MilestoneId, WorkItemId};

    fn w(n: u128) -> NodeRef {
        NodeRef::WorkItem(WorkItemId::from_uuid(uuid::Uuid::from_u128(n)))
    }

    #[test]
    fn finds_the_cycle_in_order() {
        let (a, b, c, d) = (w(1), w(2), w(3), w(4));
        let edges = vec![(a, b), (b, c), (c, d)];
        assert_eq!(cycle_closed_by(&edges, d, a), Some(vec![d, a, b, c, d]));
        assert_eq!(cycle_closed_by(&edges, c, b), Some(vec![c, b, c]));
        assert_eq!(cycle_closed_by(&edges, a, d), None);
        assert_eq!(cycle_closed_by(&edges, a, a), Some(vec![a, a]));
    }

    #[test]
    fn milestones_take_part_in_cycles() {
        let m = NodeRef::Milestone(MilestoneId::from_uuid(uuid::Uuid::from_u128(9)));
        let (a, b) = (w(1), w(2));
        let edges = vec![(a, m), (m, b)];
        assert_eq!(cycle_closed_by(&edges, b, a), Some(vec![b, a, m, b]));
    }

    #[test]
    fn cycle_error_names_every_item() {
        let (a, b) = (w(1), w(2));
        let summary = |node, title: &str| NodeSummary { node, title: title.into(), project_id: None };
        let err = cycle_error(&[summary(a, "Design"), summary(b, "Build"), summary(a, "Design")]);
        let DomainError::Validation(errors) = err else { panic!("expected validation") };
        assert_eq!(errors.errors()[0].field, "successor");
        assert_eq!(errors.errors()[0].code, "cycle");
        assert_eq!(
            errors.errors()[0].message,
            "this dependency would close a cycle: \"Design\" (work_item 00000000-0000-0000-0000-000000000001) -> \"Build\" (work_item 00000000-0000-0000-0000-000000000002) -> \"Design\" (work_item 00000000-0000-0000-0000-000000000001)"
        );
    }
}
