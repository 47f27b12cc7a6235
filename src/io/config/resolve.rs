//! Which configuration applies to a file: the nearest `xsuaa-lint.toml` above it, one named
//! with `--config`, or the defaults (`--isolated`); each folder looked up once per run.

use super::*;

/// How configuration files are found for a run.
pub enum Discovery {
    /// The nearest `xsuaa-lint.toml` above each file.
    Nearest,
    /// `--config FILE`: one configuration for every file.
    Fixed(Arc<Config>),
    /// `--isolated`: the defaults everywhere.
    Isolated,
}

thread_local! {
    /// The absolute path of the file or folder asked about (see `Resolver::with_absolute`).
    static PATH_BUFFER: std::cell::Cell<PathBuf> = std::cell::Cell::new(PathBuf::new());
    /// A folder's path with a configuration file's name (see [`configuration_file_in`]).
    static NAME_BUFFER: std::cell::Cell<PathBuf> = std::cell::Cell::new(PathBuf::new());
}

/// The name of the configuration file in `folder`, if it holds one: both names are asked in
/// every folder a walk enters, so the paths are built in one buffer, not allocated each.
fn configuration_file_in(folder: &Path) -> Option<&'static str> {
    NAME_BUFFER.with(|buffer| {
        let mut path = buffer.take();
        path.clear();
        path.push(folder);
        let found = FILE_NAMES.iter().copied().find(|name| {
            path.push(name);
            let is_file = path.is_file();
            path.pop();
            is_file
        });
        buffer.set(path);
        found
    })
}

/// Finds the configuration of each file; shared by the worker threads, one read per file.
pub struct Resolver {
    discovery: Discovery,
    defaults: Arc<Config>,
    cwd: Option<PathBuf>,
    /// Per folder the walk entered: which configuration applies there.
    folders: Mutex<FolderCache>,
    /// Keys the folder fingerprints; random per run, so no tree can be made to collide.
    fingerprints: std::hash::RandomState,
    /// Every configuration loaded, in load order, for XS900.
    loaded: Mutex<Vec<Arc<Config>>>,
    errors: Mutex<Vec<ConfigError>>,
    includes: AtomicBool,
    /// `--select`, `--extend-select` and `--ignore`, laid over every configuration.
    command_line: RuleSelection,
    /// Repositories whose configuration files may `extend` only files inside them (`audit`).
    confined: Vec<PathBuf>,
}

/// The configuration of the folders looked up lately, in a few bytes per folder: a folder is
/// known by a 64-bit fingerprint of its absolute path (the odds that two folders of a
/// 340,000-folder run share one are about 3 in 10^9), and points into the short list of
/// configurations loaded. The folders holding a configuration file are kept for the run (each
/// file is loaded once: its suppressions count their uses); the others are forgotten every
/// [`FOLDERS_REMEMBERED`] folders, so the cache does not grow with the tree.
#[derive(Default)]
struct FolderCache {
    by_folder: HashMap<u64, u32>,
    /// The folders that hold a configuration file (or a broken one).
    holders: HashMap<u64, u32>,
    /// How many folders `by_folder` holds before it starts again ([`FOLDERS_REMEMBERED`]).
    limit: usize,
    /// `None`: the configuration file there is broken.
    configs: Vec<Option<Arc<Config>>>,
    defaults: Option<u32>,
}

/// Folders remembered before the cache starts again: more than the default benchmark tree's
/// 44,753 (one table of 65,536 slots, ~0.9 MB), far fewer than a 1,000,000-file tree's
/// ~340,000 (a table of 524,288 slots, 6.8 MB). A folder forgotten costs a look-up of the two
/// file names in it and its forgotten parents when it is asked for again; the walk asks for a
/// folder's parent just after it, so few are.
const FOLDERS_REMEMBERED: usize = 57_344;

impl FolderCache {
    /// Remembers `fingerprints` as folders whose configuration is `index`.
    fn remember(&mut self, fingerprints: Vec<u64>, index: u32) {
        if self.by_folder.len() + fingerprints.len() > self.limit {
            self.by_folder.clear();
        }
        for fingerprint in fingerprints {
            self.by_folder.insert(fingerprint, index);
        }
    }

    fn add(&mut self, config: Option<Arc<Config>>) -> u32 {
        self.configs.push(config);
        (self.configs.len() - 1) as u32
    }

    fn default_index(&mut self, defaults: &Arc<Config>) -> u32 {
        match self.defaults {
            Some(index) => index,
            None => {
                let index = self.add(Some(defaults.clone()));
                self.defaults = Some(index);
                index
            }
        }
    }
}

impl Resolver {
    pub fn new(discovery: Discovery) -> Self {
        Self::with_rules(discovery, RuleSelection::default())
    }

    /// A resolver that lays the command line's rule selection over every configuration (a
    /// `Fixed` one gets it from whoever built it: see `cli::config::resolver`).
    pub fn with_rules(discovery: Discovery, command_line: RuleSelection) -> Self {
        let cwd = std::env::current_dir().ok();
        let mut defaults = Config::defaults(cwd.clone().unwrap_or_else(|| PathBuf::from(".")));
        defaults.add_command_line(&command_line);
        let defaults = Arc::new(defaults);
        let loaded = match &discovery {
            Discovery::Fixed(c) => vec![c.clone()],
            _ => Vec::new(),
        };
        let includes = AtomicBool::new(loaded.iter().any(|c| !c.include.is_empty()));
        Resolver {
            discovery,
            defaults,
            cwd,
            folders: Mutex::new(FolderCache { limit: FOLDERS_REMEMBERED, ..FolderCache::default() }),
            fingerprints: std::hash::RandomState::new(),
            loaded: Mutex::new(loaded),
            errors: Mutex::new(Vec::new()),
            includes,
            command_line,
            confined: Vec::new(),
        }
    }

    /// Configuration files inside these repositories may `extend` only files inside them: an
    /// audit of other people's repositories reads nothing else of the auditing machine.
    pub fn confine_extend_to(mut self, repositories: &[PathBuf]) -> Self {
        self.confined = repositories.iter().map(|r| crate::model::deployment::normalize(r)).collect();
        self
    }

    /// How far the `extend` of a configuration file found at `file` may reach.
    fn extend_scope(&self, file: &Path) -> ExtendScope {
        let file = crate::model::deployment::normalize(file);
        match self.confined.iter().filter(|r| file.starts_with(r)).max_by_key(|r| r.components().count()) {
            Some(repository) => ExtendScope::Within(repository.clone()),
            None => ExtendScope::Anywhere,
        }
    }

    /// The configuration for a file; `None` when its configuration file is broken (the error
    /// is kept for the end of the run).
    pub fn for_file(&self, path: &Path) -> Option<Arc<Config>> {
        if let Some(config) = self.without_discovery() {
            return Some(config);
        }
        self.with_absolute(path, |absolute| self.nearest(absolute.parent()?))?
    }

    /// The configuration for the files of a folder.
    pub fn for_folder(&self, path: &Path) -> Option<Arc<Config>> {
        if let Some(config) = self.without_discovery() {
            return Some(config);
        }
        self.with_absolute(path, |absolute| self.nearest(absolute))?
    }

    /// `then` of `path` made absolute against the working directory read once, not once per
    /// call: built in a buffer of the thread's, since the walk asks for every folder and file.
    fn with_absolute<T>(&self, path: &Path, then: impl FnOnce(&Path) -> T) -> Option<T> {
        match &self.cwd {
            Some(cwd) if path.is_relative() => PATH_BUFFER.with(|buffer| {
                // Taken, not borrowed: `then` may load a configuration that asks again.
                let mut absolute = buffer.take();
                absolute.clear();
                absolute.push(cwd);
                absolute.push(path);
                let result = then(&absolute);
                buffer.set(absolute);
                Some(result)
            }),
            _ => std::path::absolute(path).ok().map(|absolute| then(&absolute)),
        }
    }

    /// Whether some configuration loaded so far includes files by glob. A folder's
    /// configuration is loaded before its files are visited, so a walk can ask this first.
    pub fn any_includes(&self) -> bool {
        self.includes.load(Ordering::Relaxed)
    }

    fn without_discovery(&self) -> Option<Arc<Config>> {
        match &self.discovery {
            Discovery::Fixed(c) => Some(c.clone()),
            Discovery::Isolated => Some(self.defaults.clone()),
            Discovery::Nearest => None,
        }
    }

    fn nearest(&self, folder: &Path) -> Option<Arc<Config>> {
        let mut visited = Vec::new();
        let mut found: Option<u32> = None;
        for dir in folder.ancestors() {
            // `Path`'s hash, as its equality: `a/./b` and `a/b` are one folder.
            let fingerprint = self.fingerprints.hash_one(dir);
            // The lock is held for the look-up in the cache, not for the file system's: the other
            // workers' look-ups would wait on this one's system calls.
            let known = {
                let folders = self.folders.lock().ok()?;
                folders.by_folder.get(&fingerprint).or_else(|| folders.holders.get(&fingerprint)).copied()
            };
            if let Some(known) = known {
                found = Some(known);
                break;
            }
            visited.push(fingerprint);
            // Asked relative to the working directory where possible: a shorter path lookup for
            // the two names asked in every folder a walk enters.
            let near = match self.cwd.as_deref().and_then(|cwd| below(dir, cwd)) {
                Some(relative) if relative.as_os_str().is_empty() => Path::new("."),
                Some(relative) => relative,
                None => dir,
            };
            // `components` drops a `.` (`repo/.` when `.` was asked): the path is shown and kept.
            if let Some(file) = configuration_file_in(near).map(|n| dir.components().collect::<PathBuf>().join(n)) {
                let mut folders = self.folders.lock().ok()?;
                // Another worker may have found it meanwhile: each file is loaded once.
                if let Some(&known) = folders.holders.get(&fingerprint) {
                    found = Some(known);
                    break;
                }
                let shown = crate::io::discover::display_path(&file, self.cwd.as_deref());
                let root = crate::io::load::repository_root(&file);
                let config = match Config::load_extending(&file, &shown, Some(&root), &self.extend_scope(&file)) {
                    Ok(mut config) => {
                        config.add_command_line(&self.command_line);
                        if !config.include.is_empty() {
                            self.includes.store(true, Ordering::Relaxed);
                        }
                        let config = Arc::new(config);
                        self.loaded.lock().ok()?.push(config.clone());
                        Some(config)
                    }
                    Err(e) => {
                        self.errors.lock().ok()?.push(e);
                        None
                    }
                };
                let index = folders.add(config);
                folders.holders.insert(fingerprint, index);
                found = Some(index);
                break;
            }
        }
        let mut folders = self.folders.lock().ok()?;
        let found = match found {
            Some(index) => index,
            None => folders.default_index(&self.defaults),
        };
        folders.remember(visited, found);
        folders.configs[found as usize].clone()
    }

    pub fn errors(&self) -> Vec<ConfigError> {
        let mut errors = self.errors.lock().map(|e| e.clone()).unwrap_or_default();
        errors.sort();
        errors.dedup();
        errors
    }

    pub fn loaded(&self) -> Vec<Arc<Config>> {
        self.loaded.lock().map(|l| l.clone()).unwrap_or_default()
    }
}

/// `dir` relative to `cwd` when it is inside it (`""` for `cwd` itself): the folder a
/// look-up may name by a shorter path. On Unix a byte prefix ending at a `/` (the walk's paths
/// are joined ones), where `Path::strip_prefix` compares component by component; the
/// relative path names the same folder either way.
fn below<'a>(dir: &'a Path, cwd: &Path) -> Option<&'a Path> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let (dir_bytes, cwd_bytes) = (dir.as_os_str().as_bytes(), cwd.as_os_str().as_bytes());
        if let Some(rest) = dir_bytes.strip_prefix(cwd_bytes) {
            match rest.split_first() {
                None => return Some(Path::new("")),
                // Not `//x`, whose rest would be absolute.
                Some((b'/', relative)) if relative.first() != Some(&b'/') => {
                    return Some(Path::new(std::ffi::OsStr::from_bytes(relative)));
                }
                _ => {}
            }
        }
    }
    dir.strip_prefix(cwd).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_below_the_working_directory_is_named_relative_to_it() {
        let cases = [
            ("/w/a/b", "/w", Some("a/b")),
            ("/w", "/w", Some("")),
            ("/wx/a", "/w", None),
            ("/x/a", "/w", None),
            ("/w//a", "/w", Some("a")),
            ("/a", "/", Some("a")),
            ("/w/./a", "/w", Some("./a")),
        ];
        for (dir, cwd, expected) in cases {
            assert_eq!(below(Path::new(dir), Path::new(cwd)), expected.map(Path::new), "{dir} in {cwd}");
        }
    }

    /// Folders are forgotten past the limit, a configuration file is still loaded once, and every
    /// folder under it still gets it.
    #[test]
    fn the_folder_cache_stays_bounded_and_loads_each_file_once() {
        let tree = tempfile::tempdir().unwrap();
        let root = tree.path();
        std::fs::write(root.join("xsuaa-lint.toml"), "[rules]\nignore = [\"XS102\"]\n").unwrap();
        let resolver = Resolver::new(Discovery::Nearest);
        resolver.folders.lock().unwrap().limit = 4;
        let mut folders = Vec::new();
        for i in 0..20 {
            let folder = root.join(format!("apps/a{i}/deep"));
            std::fs::create_dir_all(&folder).unwrap();
            folders.push(folder);
        }
        let first = resolver.for_folder(&folders[0]).unwrap();
        // Twice over: the second pass asks for folders forgotten since.
        for folder in folders.iter().chain(&folders) {
            let config = resolver.for_file(&folder.join("xs-security.json")).unwrap();
            assert!(Arc::ptr_eq(&config, &first), "{} got another configuration", folder.display());
            // At most the limit, or one look-up's folders (from the file's up to `/`).
            let remembered = resolver.folders.lock().unwrap().by_folder.len();
            assert!(remembered <= 4.max(folder.ancestors().count()), "the cache grew with the tree: {remembered}");
        }
        assert_eq!(resolver.loaded().len(), 1, "the configuration file was loaded again");
    }
}
