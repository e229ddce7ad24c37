//! Inside every crate the modules refer to one another without a cycle: a reader following
//! `crate::…`, `super::…` or a child module's path only ever goes downward.
//!
//! The check reads each crate's sources (tokens, not a compiler: `cfg`s do not matter, comments
//! and strings do not count) and builds one graph per folder:
//!
//! - in `src/`, a node is the crate root (`lib.rs` or `main.rs`) or a top-level module, a file
//!   `src/x.rs` or a folder `src/x/` (every file inside belongs to `x`);
//! - in a folder module such as `runtime/src/provider/`, a node is the folder's own file
//!   (`provider/mod.rs`) or one of its children (`provider/keychain/`, `provider/select.rs`, …).
//!
//! An edge is any path that names an item of another node: `use` declarations (the root's
//! `pub use x::Item` is an edge from the root to `x`) and paths in code. A path to an item that a
//! module only re-exports is followed to the module that defines it, so `crate::Item` for the
//! root's `pub use x::Item` is an edge to `x`, not to the root. An item defined in the root itself
//! is an edge to the root. `mod x;` is not an edge.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt::Write as _;
use std::path::Path;
use std::str::FromStr;

use devicekey_conformance::repo_root;
use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};

/// The crates checked, by folder.
const CRATES: [&str; 7] = [
    "codegen", "proof", "runtime", "server", "cli", "testkit", "xtask",
];

/// Edges of the current code that close a cycle, tolerated until the code is restructured:
/// `(folder, from, to)`, named as in the report. The check leaves them out; it fails when one of
/// them disappears, so that this list only shrinks. Empty is the goal.
const KNOWN_UPWARD_EDGES: &[(&str, &str, &str)] = &[];

/// A module path from the crate root: `[]` is the root, `["provider", "keychain"]` is
/// `crate::provider::keychain`.
type ModulePath = Vec<String>;

/// Where a reference is written.
#[derive(Debug, Clone)]
struct Evidence {
    /// The file, from the crate's `src/`.
    file: String,
    line: usize,
    /// The path as written (a `use` leaf with its prefix).
    path: String,
}

/// A path found in a source file, before resolution.
#[derive(Debug)]
struct RawPath {
    /// The module it is written in (inline modules included).
    module: ModulePath,
    segments: Vec<String>,
    evidence: Evidence,
}

/// One leaf of a `use` declaration.
#[derive(Debug)]
struct UseLeaf {
    path: RawPath,
    /// The name it binds in `path.module`, for a declaration at item level (not `*`, not `_`).
    binds: Option<String>,
}

#[derive(Debug, Default)]
struct Module {
    /// The index of the file that holds it.
    file: usize,
    children: BTreeSet<String>,
    /// Name → absolute path, for the module's item-level `use` declarations.
    bindings: BTreeMap<String, ModulePath>,
}

/// A crate's sources, read into modules, `use` leaves and paths.
#[derive(Debug, Default)]
struct CrateSources {
    /// Each file's path from `src/` and module path.
    files: Vec<(String, ModulePath)>,
    modules: BTreeMap<ModulePath, Module>,
    uses: Vec<UseLeaf>,
    paths: Vec<RawPath>,
}

/// The graph of one folder: node → node → where the edge is written.
type Graph = BTreeMap<String, BTreeMap<String, Vec<Evidence>>>;

/// A crate's graphs, by folder (`runtime/src`, `runtime/src/provider`, …).
#[derive(Debug, Default)]
struct Layering {
    graphs: BTreeMap<String, Graph>,
}

/// The module path of a file, from its path under `src/`: `lib.rs` → `[]`, `a/mod.rs` → `[a]`,
/// `a/b.rs` → `[a, b]`.
fn file_module_path(rel: &str) -> ModulePath {
    let mut parts: Vec<String> = rel.split('/').map(str::to_owned).collect();
    let last = parts.pop().expect("a file name");
    let stem = last.strip_suffix(".rs").expect("a .rs file");
    let is_root = parts.is_empty() && (stem == "lib" || stem == "main");
    if stem != "mod" && !is_root {
        parts.push(stem.to_owned());
    }
    parts
}

/// The sources of a crate folder: every `.rs` file under `src/`, by its path from `src/`. A
/// binary's `main.rs` beside a `lib.rs` is a crate of its own that only calls the library, so it
/// is left out (it must declare no module; one that did would be a second tree to check).
fn read_sources(src: &Path) -> BTreeMap<String, String> {
    let mut sources = read_all_sources(src);
    if sources.contains_key("lib.rs") {
        if let Some(main) = sources.remove("main.rs") {
            assert!(
                !main.lines().any(|l| l.trim_start().starts_with("mod ")),
                "{}: main.rs beside lib.rs declares modules of its own",
                src.display()
            );
        }
    }
    sources
}

/// Every `.rs` file under `src/`, by its path from `src/`.
fn read_all_sources(src: &Path) -> BTreeMap<String, String> {
    fn walk(dir: &Path, prefix: &str, out: &mut BTreeMap<String, String>) {
        let entries =
            std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("directory entry").path();
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .expect("utf-8 name");
            let rel = format!("{prefix}{name}");
            if path.is_dir() {
                walk(&path, &format!("{rel}/"), out);
            } else if name.ends_with(".rs") {
                let text = std::fs::read_to_string(&path).expect("source file");
                out.insert(rel, text);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(src, "", &mut out);
    out
}

fn is_punct(tree: Option<&TokenTree>, c: char) -> bool {
    matches!(tree, Some(TokenTree::Punct(p)) if p.as_char() == c)
}

/// Whether `trees[i..]` starts with `::`.
fn is_path_sep(trees: &[TokenTree], i: usize) -> bool {
    matches!(trees.get(i), Some(TokenTree::Punct(p)) if p.as_char() == ':' && p.spacing() == Spacing::Joint)
        && is_punct(trees.get(i + 1), ':')
}

fn ident_at(trees: &[TokenTree], i: usize) -> Option<String> {
    match trees.get(i) {
        Some(TokenTree::Ident(ident)) => Some(ident.to_string()),
        _ => None,
    }
}

impl CrateSources {
    fn new(sources: &BTreeMap<String, String>) -> Self {
        let mut this = CrateSources::default();
        let roots: Vec<&String> = sources
            .keys()
            .filter(|rel| *rel == "lib.rs" || *rel == "main.rs")
            .collect();
        assert_eq!(
            roots.len(),
            1,
            "one crate root (lib.rs or main.rs), found {roots:?}"
        );
        for rel in sources.keys() {
            let module = file_module_path(rel);
            let file = this.files.len();
            this.files.push((rel.clone(), module.clone()));
            this.declare(&module, file);
        }
        for (file, (rel, text)) in sources.iter().enumerate() {
            let tokens = TokenStream::from_str(text).unwrap_or_else(|e| panic!("{rel}: {e:?}"));
            let module = this.files[file].1.clone();
            this.scan(tokens, &module, true, file);
        }
        this.bind();
        this
    }

    /// Registers `module` (and its ancestors) as held by `file`, unless a file already holds it.
    fn declare(&mut self, module: &[String], file: usize) {
        for depth in 0..=module.len() {
            let entry = self.modules.entry(module[..depth].to_vec()).or_default();
            if depth == module.len() {
                entry.file = file;
            }
            if depth > 0 {
                let parent = self.modules.get_mut(&module[..depth - 1]).expect("parent");
                parent.children.insert(module[depth - 1].clone());
            }
        }
    }

    /// Collects the `use` leaves and paths of `tokens`, written in `module`; `item_level` when the
    /// tokens are a module's items (not a function body, an impl, …).
    fn scan(&mut self, tokens: TokenStream, module: &ModulePath, item_level: bool, file: usize) {
        let trees: Vec<TokenTree> = tokens.into_iter().collect();
        let mut i = 0;
        while i < trees.len() {
            match &trees[i] {
                TokenTree::Ident(ident) if ident == "mod" => {
                    if let (Some(name), Some(TokenTree::Group(body))) =
                        (ident_at(&trees, i + 1), trees.get(i + 2))
                    {
                        if body.delimiter() == Delimiter::Brace {
                            let mut inner = module.clone();
                            inner.push(name);
                            self.declare_inline(&inner, file);
                            self.scan(body.stream(), &inner, true, file);
                            i += 3;
                            continue;
                        }
                    }
                    i += 1;
                }
                TokenTree::Ident(ident) if ident == "use" => {
                    let end = (i + 1..trees.len())
                        .find(|&j| is_punct(trees.get(j), ';'))
                        .unwrap_or(trees.len());
                    let mut leaves = Vec::new();
                    use_tree(&trees[i + 1..end], &mut Vec::new(), &mut leaves);
                    for (segments, binds, line) in leaves {
                        let evidence = Evidence {
                            file: self.files[file].0.clone(),
                            line,
                            path: segments.join("::"),
                        };
                        self.uses.push(UseLeaf {
                            path: RawPath {
                                module: module.clone(),
                                segments,
                                evidence,
                            },
                            binds: binds.filter(|_| item_level),
                        });
                    }
                    i = end + 1;
                }
                TokenTree::Ident(ident) => {
                    let continued = i >= 2 && is_path_sep(&trees, i - 2);
                    let after_dollar = i >= 1 && is_punct(trees.get(i - 1), '$');
                    if continued || after_dollar || !is_path_sep(&trees, i + 1) {
                        i += 1;
                        continue;
                    }
                    let mut segments = vec![ident.to_string()];
                    let mut line = ident.span().start().line;
                    let mut j = i + 1;
                    while is_path_sep(&trees, j) {
                        match &trees.get(j + 2) {
                            Some(TokenTree::Ident(next)) => {
                                segments.push(next.to_string());
                                line = next.span().start().line;
                                j += 3;
                            }
                            _ => break,
                        }
                    }
                    let evidence = Evidence {
                        file: self.files[file].0.clone(),
                        line,
                        path: segments.join("::"),
                    };
                    self.paths.push(RawPath {
                        module: module.clone(),
                        segments,
                        evidence,
                    });
                    i = j;
                }
                TokenTree::Group(group) => {
                    // An attribute's brackets are not a module's items, nor is any other group.
                    self.scan(group.stream(), module, false, file);
                    i += 1;
                }
                _ => i += 1,
            }
        }
    }

    fn declare_inline(&mut self, module: &[String], file: usize) {
        if !self.modules.contains_key(module) {
            self.declare(module, file);
        }
    }

    /// Turns a path written in `module` into an absolute one, if it names something of this crate.
    fn absolute(&self, module: &ModulePath, segments: &[String]) -> Option<ModulePath> {
        let first = segments.first()?;
        match first.as_str() {
            "crate" => Some(segments[1..].to_vec()),
            "self" => Some([module.as_slice(), &segments[1..]].concat()),
            "super" => {
                let ups = segments.iter().take_while(|s| *s == "super").count();
                let base = module.len().checked_sub(ups)?;
                Some([&module[..base], &segments[ups..]].concat())
            }
            _ => {
                let here = self.modules.get(module)?;
                if here.children.contains(first) {
                    Some([module.as_slice(), segments].concat())
                } else {
                    let bound = here.bindings.get(first)?;
                    Some([bound.as_slice(), &segments[1..]].concat())
                }
            }
        }
    }

    /// Fills every module's bindings from its item-level `use` leaves (a leaf may start with a
    /// name another leaf binds, so this runs until nothing changes).
    fn bind(&mut self) {
        loop {
            let mut found = Vec::new();
            for leaf in &self.uses {
                let Some(name) = &leaf.binds else { continue };
                let module = &leaf.path.module;
                if self.modules[module].bindings.contains_key(name) {
                    continue;
                }
                if let Some(path) = self.absolute(module, &leaf.path.segments) {
                    found.push((module.clone(), name.clone(), path));
                }
            }
            if found.is_empty() {
                return;
            }
            for (module, name, path) in found {
                let module = self.modules.get_mut(&module).expect("module");
                module.bindings.insert(name, path);
            }
        }
    }

    /// The module that defines what an absolute path names: the path's modules are followed as
    /// far as they go, then a name that the module only imports or re-exports is followed to its
    /// source.
    fn defining_module(&self, path: &[String]) -> ModulePath {
        let mut path = path.to_vec();
        for _ in 0..32 {
            let mut module: ModulePath = Vec::new();
            let mut rest = &path[..];
            while let Some((first, tail)) = rest.split_first() {
                let mut next = module.clone();
                next.push(first.clone());
                if self.modules.contains_key(&next) {
                    module = next;
                    rest = tail;
                    continue;
                }
                break;
            }
            let Some((name, tail)) = rest.split_first() else {
                return module;
            };
            match self.modules[&module].bindings.get(name) {
                Some(source) if *source != path[..path.len() - tail.len()] => {
                    path = [source.as_slice(), tail].concat();
                }
                _ => return module,
            }
        }
        panic!("re-exports of {path:?} do not end");
    }

    /// The label of the node that holds `file_module` in the graph of `folder`.
    fn node(&self, folder: &[String], file_module: &[String]) -> String {
        if file_module.len() == folder.len() {
            let file = self.modules[folder].file;
            return self.files[file].0.clone();
        }
        let child = &file_module[..=folder.len()];
        let is_folder = self
            .files
            .iter()
            .any(|(_, m)| m.len() > child.len() && m.starts_with(child));
        if is_folder {
            format!("{}/", child.join("/"))
        } else {
            let file = self.modules[child].file;
            self.files[file].0.clone()
        }
    }

    /// Every edge, in the graph of the innermost folder that holds both ends.
    fn layering(&self, crate_dir: &str) -> Layering {
        let mut layering = Layering::default();
        let references = self.uses.iter().map(|leaf| &leaf.path).chain(&self.paths);
        for raw in references {
            let Some(path) = self.absolute(&raw.module, &raw.segments) else {
                continue;
            };
            let target = self.defining_module(&path);
            let from_file = self
                .files
                .iter()
                .position(|(rel, _)| *rel == raw.evidence.file)
                .expect("file");
            let from = &self.files[from_file].1;
            let to = &self.files[self.modules[&target].file].1;
            if from == to {
                continue;
            }
            let common = from.iter().zip(to).take_while(|(a, b)| a == b).count();
            let folder = &from[..common];
            let label = if folder.is_empty() {
                format!("{crate_dir}/src")
            } else {
                format!("{crate_dir}/src/{}", folder.join("/"))
            };
            let graph = layering.graphs.entry(label).or_default();
            graph
                .entry(self.node(folder, from))
                .or_default()
                .entry(self.node(folder, to))
                .or_default()
                .push(raw.evidence.clone());
        }
        layering
    }
}

/// The leaves of a `use` tree (the tokens after `use`, before `;`), each as its full path, the
/// name it binds (`None` for `*` and `as _`) and the line of its last segment.
fn use_tree(
    trees: &[TokenTree],
    prefix: &mut Vec<String>,
    out: &mut Vec<(Vec<String>, Option<String>, usize)>,
) {
    let depth = prefix.len();
    if prefix.is_empty() && is_path_sep(trees, 0) {
        return; // `use ::name`: another crate.
    }
    let mut i = 0;
    let mut line = 0;
    while i < trees.len() {
        match &trees[i] {
            TokenTree::Ident(ident) if ident == "as" => {
                if prefix.last().is_some_and(|s| s == "self") {
                    prefix.pop();
                }
                let name = ident_at(trees, i + 1).filter(|n| n != "_");
                out.push((prefix.clone(), name, line));
                prefix.truncate(depth);
                i += 2;
                continue;
            }
            TokenTree::Ident(ident) => {
                prefix.push(ident.to_string());
                line = ident.span().start().line;
            }
            TokenTree::Punct(p) if p.as_char() == '*' => {
                prefix.push("*".to_owned());
                out.push((prefix.clone(), None, p.span().start().line));
                prefix.truncate(depth);
            }
            TokenTree::Punct(p) if p.as_char() == ',' => {
                leaf(prefix, depth, line, out);
            }
            TokenTree::Group(group) if group.delimiter() == Delimiter::Brace => {
                let inner: Vec<TokenTree> = group.stream().into_iter().collect();
                let mut at = prefix.clone();
                use_tree(&inner, &mut at, out);
                prefix.truncate(depth);
            }
            _ => {}
        }
        i += 1;
    }
    leaf(prefix, depth, line, out);
}

/// Ends the leaf in `prefix[depth..]`, if any: `a::b` binds `b`, `a::self` is `a` and binds `a`.
fn leaf(
    prefix: &mut Vec<String>,
    depth: usize,
    line: usize,
    out: &mut Vec<(Vec<String>, Option<String>, usize)>,
) {
    if prefix.len() > depth {
        if prefix.last().is_some_and(|s| s == "self") {
            prefix.pop();
        }
        let name = prefix.last().cloned();
        out.push((prefix.clone(), name, line));
    }
    prefix.truncate(depth);
}

/// One cycle: the nodes along it, first and last the same.
type Cycle = Vec<String>;

/// The cycles of `graph`: for each edge between two nodes of a strongly connected component, the
/// shortest cycle through it, each cycle once (so every edge of every cycle is shown).
fn cycles(graph: &Graph) -> Vec<Cycle> {
    let mut found: BTreeSet<Cycle> = BTreeSet::new();
    for (from, targets) in graph {
        for to in targets.keys() {
            if let Some(back) = shortest_path(graph, to, from) {
                let mut cycle: Cycle = vec![from.clone()];
                cycle.extend(back);
                // The same cycle starts at its smallest node, whichever edge found it.
                cycle.pop();
                let start = (0..cycle.len()).min_by_key(|&k| &cycle[k]).expect("a node");
                cycle.rotate_left(start);
                cycle.push(cycle[0].clone());
                found.insert(cycle);
            }
        }
    }
    found.into_iter().collect()
}

/// The nodes of a shortest path from `from` to `to` (both included).
fn shortest_path(graph: &Graph, from: &str, to: &str) -> Option<Vec<String>> {
    let mut previous: BTreeMap<&str, &str> = BTreeMap::new();
    let mut queue = VecDeque::from([from]);
    let mut seen = BTreeSet::from([from]);
    while let Some(node) = queue.pop_front() {
        if node == to {
            let mut path = vec![to.to_owned()];
            let mut at = to;
            while let Some(&before) = previous.get(at) {
                path.push(before.to_owned());
                at = before;
            }
            path.reverse();
            return Some(path);
        }
        for next in graph.get(node).into_iter().flat_map(|t| t.keys()) {
            if seen.insert(next) {
                previous.insert(next, node);
                queue.push_back(next);
            }
        }
    }
    None
}

/// The chain of `cycle`, then where each of its edges is written.
fn describe(crate_dir: &str, graph: &Graph, cycle: &Cycle) -> String {
    let mut text = format!("  {}\n", cycle.join(" → "));
    for pair in cycle.windows(2) {
        let evidence = &graph[&pair[0]][&pair[1]];
        let shown: Vec<String> = evidence
            .iter()
            .take(3)
            .map(|e| format!("{crate_dir}/src/{}:{} `{}`", e.file, e.line, e.path))
            .collect();
        let more = match evidence.len() {
            n if n > 3 => format!(" (and {} more)", n - 3),
            _ => String::new(),
        };
        let _ = writeln!(
            text,
            "      {} → {}: {}{more}",
            pair[0],
            pair[1],
            shown.join(", ")
        );
    }
    text
}

/// The cycles of a crate, one report per group of modules that reach one another (with the
/// edges that every cycle of the group takes, where there are such), after leaving out `known`
/// edges `(folder, from, to)`.
fn crate_cycles(
    crate_dir: &str,
    sources: &BTreeMap<String, String>,
    known: &[(&str, &str, &str)],
) -> (Layering, Vec<String>) {
    let layering = CrateSources::new(sources).layering(crate_dir);
    let mut reports = Vec::new();
    for (folder, graph) in &layering.graphs {
        let mut checked = graph.clone();
        for (f, from, to) in known {
            if f == folder {
                if let Some(targets) = checked.get_mut(*from) {
                    targets.remove(*to);
                }
            }
        }
        // Group the cycles by their strongly connected component.
        let mut groups: BTreeMap<BTreeSet<String>, Vec<Cycle>> = BTreeMap::new();
        for cycle in cycles(&checked) {
            let component: BTreeSet<String> = checked
                .keys()
                .filter(|n| {
                    shortest_path(&checked, &cycle[0], n).is_some()
                        && shortest_path(&checked, n, &cycle[0]).is_some()
                })
                .cloned()
                .collect();
            groups.entry(component).or_default().push(cycle);
        }
        for (component, cycles) in groups {
            let edges = |c: &Cycle| -> BTreeSet<(String, String)> {
                c.windows(2).map(|p| (p[0].clone(), p[1].clone())).collect()
            };
            let mut common = edges(&cycles[0]);
            for cycle in &cycles[1..] {
                common = common.intersection(&edges(cycle)).cloned().collect();
            }
            let names: Vec<&str> = component.iter().map(String::as_str).collect();
            let mut text = format!(
                "{folder}: {} cycle{} among {}",
                cycles.len(),
                if cycles.len() == 1 { "" } else { "s" },
                names.join(", ")
            );
            if cycles.len() > 1 && !common.is_empty() {
                let common: Vec<String> =
                    common.iter().map(|(a, b)| format!("{a} → {b}")).collect();
                let _ = write!(text, "; every one goes through {}", common.join(", "));
            }
            text.push('\n');
            for cycle in &cycles {
                text.push_str(&describe(crate_dir, &checked, cycle));
            }
            reports.push(text);
        }
    }
    (layering, reports)
}

fn has_edge(layering: &Layering, folder: &str, from: &str, to: &str) -> bool {
    layering
        .graphs
        .get(folder)
        .and_then(|g| g.get(from))
        .is_some_and(|t| t.contains_key(to))
}

#[test]
fn modules_form_no_import_cycle() {
    let root = repo_root();
    let mut reports = Vec::new();
    let mut layerings = BTreeMap::new();
    for crate_dir in CRATES {
        let sources = read_sources(&root.join(crate_dir).join("src"));
        let (layering, found) = crate_cycles(crate_dir, &sources, KNOWN_UPWARD_EDGES);
        reports.extend(found);
        layerings.insert(crate_dir, layering);
    }
    let all: Vec<&Layering> = layerings.values().collect();
    let edge =
        |folder: &str, from: &str, to: &str| all.iter().any(|l| has_edge(l, folder, from, to));

    // The scan sees real edges, so an empty graph cannot pass by accident: `use crate::…`, the
    // root's `pub use`, a path in code, a re-export followed to its module, nested folders.
    let expected = [
        ("codegen/src", "model.rs", "schema_set.rs"),
        ("codegen/src", "lib.rs", "pipeline.rs"),
        ("server/src", "connection.rs", "dispatch.rs"),
        ("server/src", "server.rs", "attestation.rs"),
        ("runtime/src", "store.rs", "binding_store.rs"),
        ("runtime/src", "provider/", "secret_store.rs"),
        (
            "runtime/src/provider",
            "provider/software.rs",
            "provider/key_provider.rs",
        ),
        (
            "runtime/src/provider/keychain",
            "provider/keychain/fake.rs",
            "provider/keychain/status.rs",
        ),
        ("cli/src", "main.rs", "cli.rs"),
    ];
    for (folder, from, to) in expected {
        assert!(
            edge(folder, from, to),
            "no edge {from} → {to} in {folder}: {layerings:#?}"
        );
    }
    for (folder, from, to) in KNOWN_UPWARD_EDGES {
        assert!(
            edge(folder, from, to),
            "{folder}: the known edge {from} → {to} is gone; remove it from KNOWN_UPWARD_EDGES"
        );
    }
    assert!(
        reports.is_empty(),
        "the modules refer to one another in a cycle (each edge with where it is written; \
         `crate::Item` for a re-export counts as the module that defines the item):\n\n{}",
        reports.join("\n")
    );
}

fn crate_of(files: &[(&str, &str)]) -> BTreeMap<String, String> {
    files
        .iter()
        .map(|(rel, text)| ((*rel).to_owned(), (*text).to_owned()))
        .collect()
}

#[test]
fn re_exports_resolve_to_the_defining_module() {
    let sources = crate_of(&[
        (
            "lib.rs",
            "mod a; mod b; pub use a::Item; pub use b::{self as bee, Other};",
        ),
        ("a.rs", "pub struct Item;"),
        (
            "b.rs",
            "use crate::Item; pub struct Other; fn f() -> crate::Item { Item } \
             macro_rules! m { () => { $crate::Other }; } const S: &str = \"crate::Other\";",
        ),
    ]);
    let (layering, reports) = crate_cycles("demo", &sources, &[]);
    assert!(reports.is_empty(), "{reports:?}");
    let graph = &layering.graphs["demo/src"];
    assert_eq!(
        graph["b.rs"].keys().collect::<Vec<_>>(),
        ["a.rs"],
        "{graph:#?}"
    );
    let lines: Vec<usize> = graph["b.rs"]["a.rs"].iter().map(|e| e.line).collect();
    assert_eq!(lines, [1, 1]);
    assert_eq!(graph["lib.rs"].keys().collect::<Vec<_>>(), ["a.rs", "b.rs"]);
}

#[test]
fn an_upward_reference_is_reported_with_its_files() {
    // `b` uses `a`; `a` reaches back into `b` through a root re-export, written on line 3.
    let sources = crate_of(&[
        ("lib.rs", "mod a;\nmod b;\npub use b::Widget;\n"),
        (
            "a.rs",
            "pub fn helper() {}\n\nfn f() { let _ = crate::Widget; }\n",
        ),
        ("b.rs", "use crate::a::helper;\npub struct Widget;\n"),
    ]);
    let (_, reports) = crate_cycles("demo", &sources, &[]);
    assert_eq!(
        reports,
        [
            "demo/src: 1 cycle among a.rs, b.rs\n  a.rs → b.rs → a.rs\n      a.rs → b.rs: \
             demo/src/a.rs:3 `crate::Widget`\n      b.rs → a.rs: demo/src/b.rs:1 \
             `crate::a::helper`\n"
        ],
    );
    // A known edge is left out of the check.
    let (_, reports) = crate_cycles("demo", &sources, &[("demo/src", "a.rs", "b.rs")]);
    assert!(reports.is_empty(), "{reports:?}");
    // An item defined in the root is the root's: a cycle when the root uses the module.
    let sources = crate_of(&[
        (
            "main.rs",
            "mod a;\nfn shared() {}\nfn main() { a::run() }\n",
        ),
        ("a.rs", "pub fn run() { crate::shared() }\n"),
    ]);
    let (_, reports) = crate_cycles("demo", &sources, &[]);
    assert_eq!(reports.len(), 1, "{reports:?}");
    assert!(
        reports[0].starts_with("demo/src: 1 cycle among a.rs, main.rs\n  a.rs → main.rs → a.rs\n"),
        "{reports:?}"
    );
}

#[test]
fn folder_modules_are_checked_among_siblings() {
    let sources = crate_of(&[
        ("lib.rs", "mod p; mod q;"),
        ("q.rs", "use crate::p::x::X;"),
        ("p/mod.rs", "pub mod x; mod y; mod tests { use super::*; }"),
        (
            "p/x/mod.rs",
            "mod deep; pub struct X; fn f() { super::y::Y; }",
        ),
        ("p/x/deep.rs", "use super::X;"),
        ("p/y.rs", "pub struct Y; fn g() { crate::p::x::X; }"),
    ]);
    let (layering, reports) = crate_cycles("demo", &sources, &[]);
    assert_eq!(
        layering.graphs.keys().collect::<Vec<_>>(),
        ["demo/src", "demo/src/p", "demo/src/p/x"]
    );
    assert!(has_edge(&layering, "demo/src", "q.rs", "p/"));
    assert!(has_edge(
        &layering,
        "demo/src/p/x",
        "p/x/deep.rs",
        "p/x/mod.rs"
    ));
    assert_eq!(reports.len(), 1, "{reports:?}");
    assert!(
        reports[0].starts_with("demo/src/p: 1 cycle among p/x/, p/y.rs\n  p/x/ → p/y.rs → p/x/\n"),
        "{reports:?}"
    );
    assert!(
        reports[0].contains("demo/src/p/x/mod.rs:1 `super::y::Y`"),
        "{reports:?}"
    );
    assert!(
        reports[0].contains("demo/src/p/y.rs:1 `crate::p::x::X`"),
        "{reports:?}"
    );
}
