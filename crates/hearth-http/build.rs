//! Embeds every file under `assets/` into the binary as `ASSETS`.
use std::{env, fs, path::Path};

fn walk(dir: &Path, base: &Path, out: &mut Vec<String>) {
    let mut entries: Vec<_> = fs::read_dir(dir).expect("assets dir").flatten().collect();
    entries.sort_by_key(|e| e.path());
    for e in entries {
        let p = e.path();
        if p.is_dir() {
            walk(&p, base, out);
        } else {
            out.push(p.strip_prefix(base).unwrap().to_string_lossy().replace('\\', "/"));
        }
    }
}

fn main() {
    let base = Path::new(&env::var("CARGO_MANIFEST_DIR").unwrap()).join("assets");
    println!("cargo:rerun-if-changed=assets");
    let mut files = vec![];
    walk(&base, &base, &mut files);
    let mut code = String::from("/// (path under /assets/, contents)\npub static ASSETS: &[(&str, &[u8])] = &[\n");
    for f in &files {
        code.push_str(&format!("    ({f:?}, include_bytes!({:?})),\n", base.join(f).to_string_lossy()));
    }
    code.push_str("];\n");
    fs::write(Path::new(&env::var("OUT_DIR").unwrap()).join("assets.rs"), code).unwrap();
}
