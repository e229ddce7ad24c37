//! The modules of this crate form no import cycle: following `crate::…` from any module only ever
//! goes downward. The check reads the sources, so it fails as soon as an upward reference appears.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::str::FromStr;

use proc_macro2::{Delimiter, TokenStream, TokenTree};

/// The crate root's node in the graph (`lib.rs`); `crate::Item` for a root item points at it.
const ROOT: &str = "lib";

/// Module name → the modules its code refers to through `crate::`.
fn dependency_graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut sources = BTreeMap::new();
    for entry in std::fs::read_dir(src).expect("src folder") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "rs") {
            let name = path
                .file_stem()
                .and_then(|s| s.to_str())
                .expect("utf-8 name");
            let text = std::fs::read_to_string(&path).expect("source file");
            sources.insert(name.to_owned(), text);
        }
    }
    let modules: BTreeSet<String> = sources.keys().cloned().collect();
    let mut graph = BTreeMap::new();
    for (name, text) in &sources {
        let tokens = TokenStream::from_str(text).unwrap_or_else(|e| panic!("{name}.rs: {e}"));
        let mut targets = BTreeSet::new();
        crate_references(tokens, name == ROOT, &mut targets);
        let targets = targets
            .into_iter()
            .map(|t| {
                if modules.contains(&t) {
                    t
                } else {
                    ROOT.to_owned()
                }
            })
            .filter(|t| t != name)
            .collect();
        graph.insert(name.clone(), targets);
    }
    graph
}

/// Collects the first segment after every `crate::` in `tokens` (each name of a `crate::{…}` group);
/// in the crate root (`root`), where paths start at the crate, also the first segment of every `use`.
fn crate_references(tokens: TokenStream, root: bool, out: &mut BTreeSet<String>) {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    for (i, tree) in trees.iter().enumerate() {
        match tree {
            TokenTree::Group(group) => crate_references(group.stream(), root, out),
            TokenTree::Ident(ident) if root && ident == "use" => match trees.get(i + 1) {
                Some(TokenTree::Ident(next)) if next != "crate" && next != "self" => {
                    out.insert(next.to_string());
                }
                _ => {}
            },
            TokenTree::Ident(ident) if ident == "crate" => {
                let after_dollar =
                    i > 0 && matches!(&trees[i - 1], TokenTree::Punct(p) if p.as_char() == '$');
                let path_sep = matches!(
                    (trees.get(i + 1), trees.get(i + 2)),
                    (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b)))
                        if a.as_char() == ':' && b.as_char() == ':'
                );
                if after_dollar || !path_sep {
                    continue;
                }
                match trees.get(i + 3) {
                    Some(TokenTree::Ident(next)) => {
                        out.insert(next.to_string());
                    }
                    Some(TokenTree::Group(group)) if group.delimiter() == Delimiter::Brace => {
                        use_group_heads(group.stream(), out)
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
}

/// The first identifier of each comma-separated part of a `use` group: `{a::b, c}` → `a`, `c`.
fn use_group_heads(tokens: TokenStream, out: &mut BTreeSet<String>) {
    let mut at_start = true;
    for tree in tokens {
        match tree {
            TokenTree::Punct(p) if p.as_char() == ',' => at_start = true,
            TokenTree::Ident(ident) if at_start => {
                if ident != "self" {
                    out.insert(ident.to_string());
                }
                at_start = false;
            }
            _ => at_start = false,
        }
    }
}

/// A cycle of `graph`, as the modules along it (first and last the same), if there is one.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        Open,
        Done,
    }
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, State>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match state.get(node) {
            Some(State::Done) => return None,
            Some(State::Open) => {
                let start = stack
                    .iter()
                    .position(|n| n == node)
                    .expect("open node is on the stack");
                let mut cycle = stack[start..].to_vec();
                cycle.push(node.to_owned());
                return Some(cycle);
            }
            None => {}
        }
        state.insert(node.to_owned(), State::Open);
        stack.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, state, stack) {
                return Some(cycle);
            }
        }
        stack.pop();
        state.insert(node.to_owned(), State::Done);
        None
    }
    let mut state = BTreeMap::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut state, &mut Vec::new()))
}

#[test]
fn modules_form_no_import_cycle() {
    let graph = dependency_graph(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    // The scan sees real edges (so an empty graph cannot pass by accident).
    assert!(graph["model"].contains("schema_set"), "{graph:#?}");
    assert!(graph["schema_set"].contains("json"), "{graph:#?}");
    assert!(graph[ROOT].contains("pipeline"), "{graph:#?}");
    if let Some(cycle) = find_cycle(&graph) {
        panic!(
            "the modules refer to one another in a cycle: {} (`crate::Item` for an item of lib.rs \
             counts as `lib`)",
            cycle.join(" → ")
        );
    }
}

#[test]
fn the_check_finds_cycles_and_grouped_imports() {
    let mut out = BTreeSet::new();
    let code = "use crate::{a::B, c, self}; fn f() { crate::d::e(); let s = \"crate::x\"; } \
                macro_rules! m { () => { $crate::y }; }";
    crate_references(
        TokenStream::from_str(code).expect("tokens"),
        false,
        &mut out,
    );
    let found: Vec<&str> = out.iter().map(String::as_str).collect();
    assert_eq!(found, ["a", "c", "d"]);

    let graph: BTreeMap<String, BTreeSet<String>> = [
        ("a", vec!["b"]),
        ("b", vec!["c"]),
        ("c", vec!["a"]),
        ("d", vec![]),
    ]
    .into_iter()
    .map(|(n, to)| (n.to_owned(), to.into_iter().map(str::to_owned).collect()))
    .collect();
    assert_eq!(
        find_cycle(&graph).expect("a cycle"),
        ["a", "b", "c", "a"].map(str::to_owned)
    );
}
