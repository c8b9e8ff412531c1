//! The construct tree: nodes with a scope, an id, a `/`-joined path, children, dependencies,
//! metadata and annotations.
//!
//! The tree is shared by every handle that points into it, so a construct can be passed around by
//! reference (`&Construct`) the way CDK passes `this`. What a node *is* (a stack, a resource, an
//! output, ...) is recorded by the layers above; this module only keeps the shape of the tree and
//! refuses ids that would make a path ambiguous.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{Error, ErrorKind, Result};
use crate::stack::StackData;
use crate::template::Element;

static NEXT_TREE: AtomicU64 = AtomicU64::new(1);

/// How serious an annotation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Worth knowing; never fails synthesis.
    Info,
    /// Likely a mistake or a risk; fails synthesis under `--strict`.
    Warning,
    /// Synthesis fails.
    Error,
}

/// A message a construct attaches to itself for the user (a warning about a risky setting, say).
///
/// Library code never prints: the CLI renders annotations after synthesis.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Annotation {
    /// The path of the construct that raised it.
    pub path: String,
    /// How serious it is.
    pub level: Level,
    /// A stable id, such as `stackcraft:alb-open-to-world`.
    pub id: String,
    /// What the user should know, and what to do about it.
    pub message: String,
}

/// What a node of the tree stands for.
#[derive(Debug)]
pub(crate) enum NodeKind {
    App,
    Stack(Box<StackData>),
    Plain,
    Element(Box<Element>),
}

#[derive(Debug)]
pub(crate) struct NodeData {
    pub(crate) id: String,
    pub(crate) parent: Option<usize>,
    pub(crate) children: Vec<usize>,
    pub(crate) kind: NodeKind,
    pub(crate) dependencies: Vec<usize>,
    pub(crate) metadata: Vec<(String, serde_json::Value)>,
    pub(crate) annotations: Vec<(Level, String, String)>,
}

/// The storage behind every handle of one app.
#[derive(Debug)]
pub(crate) struct Tree {
    pub(crate) serial: u64,
    pub(crate) nodes: Vec<NodeData>,
    pub(crate) locked: bool,
}

impl Tree {
    pub(crate) fn path(&self, idx: usize) -> String {
        let mut parts = Vec::new();
        let mut cur = Some(idx);
        while let Some(i) = cur {
            let node = &self.nodes[i];
            if node.parent.is_some() {
                parts.push(node.id.as_str());
            }
            cur = node.parent;
        }
        parts.reverse();
        parts.join("/")
    }

    /// The path of every node, by index, built in one pass: a node is always added after its
    /// parent, so the parent's path is known when the child's is made.
    pub(crate) fn paths(&self) -> Vec<String> {
        let mut paths: Vec<String> = Vec::with_capacity(self.nodes.len());
        for node in &self.nodes {
            let path = match node.parent {
                Some(0) | None => node.id.clone(),
                Some(p) => {
                    let parent = &paths[p];
                    let mut path = String::with_capacity(parent.len() + 1 + node.id.len());
                    path.push_str(parent);
                    path.push('/');
                    path.push_str(&node.id);
                    path
                }
            };
            paths.push(path);
        }
        paths
    }

    /// Ids from the node's stack (exclusive) down to the node.
    pub(crate) fn path_below_stack(&self, idx: usize) -> Vec<String> {
        let mut parts = Vec::new();
        let mut cur = Some(idx);
        while let Some(i) = cur {
            let node = &self.nodes[i];
            if matches!(node.kind, NodeKind::Stack(_) | NodeKind::App) {
                break;
            }
            parts.push(node.id.clone());
            cur = node.parent;
        }
        parts.reverse();
        parts
    }

    pub(crate) fn stack_of(&self, idx: usize) -> Option<usize> {
        let mut cur = Some(idx);
        while let Some(i) = cur {
            if matches!(self.nodes[i].kind, NodeKind::Stack(_)) {
                return Some(i);
            }
            cur = self.nodes[i].parent;
        }
        None
    }

    /// Every node below `idx` (itself included), depth first in insertion order.
    pub(crate) fn subtree(&self, idx: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let mut stack = vec![idx];
        while let Some(i) = stack.pop() {
            out.push(i);
            stack.extend(self.nodes[i].children.iter().rev());
        }
        out
    }
}

/// A handle on one node of the construct tree.
///
/// Cloning the handle is cheap and points at the same node. Every construct (stacks, resources,
/// the reusable constructs in `constructs/`) holds one and exposes it through [`AsConstruct`].
#[derive(Clone)]
pub struct Construct {
    pub(crate) tree: Rc<RefCell<Tree>>,
    pub(crate) idx: usize,
}

impl std::fmt::Debug for Construct {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Construct({})", self.path())
    }
}

impl PartialEq for Construct {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.tree, &other.tree) && self.idx == other.idx
    }
}

/// Anything that is a node of the construct tree and can serve as a scope for children.
pub trait AsConstruct {
    /// The node behind this value.
    fn construct(&self) -> &Construct;
}

impl AsConstruct for Construct {
    fn construct(&self) -> &Construct {
        self
    }
}

impl Construct {
    pub(crate) fn root() -> Construct {
        let tree = Tree {
            serial: NEXT_TREE.fetch_add(1, Ordering::Relaxed),
            nodes: vec![NodeData {
                id: String::new(),
                parent: None,
                children: Vec::new(),
                kind: NodeKind::App,
                dependencies: Vec::new(),
                metadata: Vec::new(),
                annotations: Vec::new(),
            }],
            locked: false,
        };
        Construct {
            tree: Rc::new(RefCell::new(tree)),
            idx: 0,
        }
    }

    /// Creates a plain child node, used by constructs to group what they create.
    ///
    /// Fails when `id` is empty, contains `/`, or is already taken by a sibling.
    pub fn new(scope: &impl AsConstruct, id: &str) -> Result<Construct> {
        scope.construct().add_child(id, NodeKind::Plain)
    }

    pub(crate) fn add_child(&self, id: &str, kind: NodeKind) -> Result<Construct> {
        let path_of_child = || {
            let parent = self.path();
            if parent.is_empty() {
                id.to_string()
            } else {
                format!("{parent}/{id}")
            }
        };
        if id.is_empty() {
            return Err(Error::new(
                self.path(),
                ErrorKind::InvalidId {
                    id: id.into(),
                    reason: "an id cannot be empty",
                },
            ));
        }
        if id.contains('/') {
            return Err(Error::new(
                path_of_child(),
                ErrorKind::InvalidId {
                    id: id.into(),
                    reason: "an id cannot contain '/'",
                },
            ));
        }
        let mut tree = self.tree.borrow_mut();
        if tree.locked {
            drop(tree);
            return Err(Error::new(path_of_child(), ErrorKind::Locked));
        }
        let taken = tree.nodes[self.idx]
            .children
            .iter()
            .any(|&c| tree.nodes[c].id == id);
        if taken {
            drop(tree);
            return Err(Error::new(
                path_of_child(),
                ErrorKind::DuplicateId { id: id.into() },
            ));
        }
        let idx = tree.nodes.len();
        tree.nodes.push(NodeData {
            id: id.to_string(),
            parent: Some(self.idx),
            children: Vec::new(),
            kind,
            dependencies: Vec::new(),
            metadata: Vec::new(),
            annotations: Vec::new(),
        });
        tree.nodes[self.idx].children.push(idx);
        drop(tree);
        Ok(Construct {
            tree: self.tree.clone(),
            idx,
        })
    }

    /// The id given at creation (empty for the app).
    pub fn id(&self) -> String {
        self.tree.borrow().nodes[self.idx].id.clone()
    }

    /// The ids from the app down to this node, joined by `/` (the app itself has an empty path).
    pub fn path(&self) -> String {
        self.tree.borrow().path(self.idx)
    }

    /// The parent node; `None` for the app.
    pub fn scope(&self) -> Option<Construct> {
        let parent = self.tree.borrow().nodes[self.idx].parent;
        parent.map(|idx| Construct {
            tree: self.tree.clone(),
            idx,
        })
    }

    /// The direct children, in creation order.
    pub fn children(&self) -> Vec<Construct> {
        let tree = self.tree.borrow();
        tree.nodes[self.idx]
            .children
            .iter()
            .map(|&idx| Construct {
                tree: self.tree.clone(),
                idx,
            })
            .collect()
    }

    /// The child with this id, if there is one.
    pub fn find_child(&self, id: &str) -> Option<Construct> {
        self.children().into_iter().find(|c| c.id() == id)
    }

    /// Records that this construct must be deployed after `other`.
    ///
    /// Inside one stack this becomes `DependsOn` from every resource below this construct to
    /// every resource below `other`; between stacks it becomes a stack dependency, and deploy
    /// order follows it.
    pub fn add_dependency(&self, other: &impl AsConstruct) {
        let other = other.construct();
        let mut tree = self.tree.borrow_mut();
        if Rc::ptr_eq(&self.tree, &other.tree) {
            let deps = &mut tree.nodes[self.idx].dependencies;
            if !deps.contains(&other.idx) {
                deps.push(other.idx);
            }
        }
    }

    /// Attaches a metadata entry, written to `tree.json` (and to `Metadata` for resources).
    pub fn add_metadata(&self, key: impl Into<String>, value: serde_json::Value) {
        self.tree.borrow_mut().nodes[self.idx]
            .metadata
            .push((key.into(), value));
    }

    /// Attaches a message for the user; the CLI shows it after synthesis.
    pub fn annotate(&self, level: Level, id: impl Into<String>, message: impl Into<String>) {
        self.tree.borrow_mut().nodes[self.idx]
            .annotations
            .push((level, id.into(), message.into()));
    }

    /// Every annotation of this node and the nodes below it, in tree order.
    pub fn annotations(&self) -> Vec<Annotation> {
        let tree = self.tree.borrow();
        tree.subtree(self.idx)
            .into_iter()
            .filter(|&i| !tree.nodes[i].annotations.is_empty())
            .flat_map(|i| {
                let path = tree.path(i);
                tree.nodes[i]
                    .annotations
                    .iter()
                    .map(move |(level, id, message)| Annotation {
                        path: path.clone(),
                        level: *level,
                        id: id.clone(),
                        message: message.clone(),
                    })
            })
            .collect()
    }

    /// A stable identity for references: the tree's serial and the path.
    pub(crate) fn address(&self) -> (u64, String) {
        (self.tree.borrow().serial, self.path())
    }

    pub(crate) fn stack_idx(&self) -> Option<usize> {
        self.tree.borrow().stack_of(self.idx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_join_ids_below_the_app() {
        let app = Construct::root();
        let a = Construct::new(&app, "A").unwrap();
        let b = Construct::new(&a, "B").unwrap();
        assert_eq!(app.path(), "");
        assert_eq!(b.path(), "A/B");
        assert_eq!(b.scope().unwrap(), a);
        assert_eq!(a.children(), vec![b]);
        let tree = app.tree.borrow();
        let expected: Vec<String> = (0..tree.nodes.len()).map(|i| tree.path(i)).collect();
        assert_eq!(tree.paths(), expected);
    }

    #[test]
    fn rejects_duplicate_child_id() {
        let app = Construct::root();
        let a = Construct::new(&app, "A").unwrap();
        Construct::new(&a, "B").unwrap();
        let err = Construct::new(&a, "B").unwrap_err();
        assert_eq!(err.path(), "A/B");
        assert_eq!(err.kind(), &ErrorKind::DuplicateId { id: "B".into() });
        assert!(err.to_string().contains("[A/B]"), "{err}");
    }

    #[test]
    fn rejects_ids_with_a_slash_or_empty() {
        let app = Construct::root();
        let err = Construct::new(&app, "a/b").unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::InvalidId { .. }));
        assert!(Construct::new(&app, "").is_err());
    }
}
