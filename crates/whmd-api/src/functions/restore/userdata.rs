//! `userdata/main` of a cPanel archive: the account's domains by kind, as cPanel keeps them
//! (YAML: `main_domain`, `parked_domains`, `addon_domains` mapping each addon domain to the
//! subdomain that serves it, `sub_domains`).

use yaml_rust2::{Yaml, YamlLoader};

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Domains {
    pub main: Option<String>,
    /// Parked and addon domains, in the file's order.
    pub others: Vec<String>,
    /// Subdomains that are not an addon domain's.
    pub subdomains: Vec<String>,
}

/// The domains `text` lists; why it does not read otherwise.
pub fn read(text: &str) -> Result<Domains, String> {
    let docs = YamlLoader::load_from_str(text).map_err(|e| e.to_string())?;
    let Some(doc) = docs.first() else {
        return Ok(Domains::default());
    };
    if doc.as_hash().is_none() {
        return Err("not a mapping".into());
    }
    let strings = |node: &Yaml| -> Vec<String> {
        node.as_vec()
            .map(|items| {
                items
                    .iter()
                    .filter_map(|i| i.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let addons: Vec<(String, String)> = doc["addon_domains"]
        .as_hash()
        .map(|map| {
            map.iter()
                .filter_map(|(k, v)| Some((k.as_str()?.to_owned(), v.as_str()?.to_owned())))
                .collect()
        })
        .unwrap_or_default();
    let mut others = strings(&doc["parked_domains"]);
    others.extend(addons.iter().map(|(domain, _)| domain.clone()));
    let subdomains = strings(&doc["sub_domains"])
        .into_iter()
        .filter(|s| !addons.iter().any(|(_, served_by)| served_by == s))
        .collect();
    Ok(Domains {
        main: doc["main_domain"].as_str().map(str::to_owned),
        others,
        subdomains,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpanels_userdata_main_reads() {
        let text = "---\naddon_domains:\n  addon.example.org: addon.main.example.com\n\
                    cp_php_magic_include_path.conf: 0\nmain_domain: main.example.com\n\
                    parked_domains:\n  - parked.example.net\nsub_domains:\n  - addon.main.example.com\n  - blog.main.example.com\n";
        assert_eq!(
            read(text),
            Ok(Domains {
                main: Some("main.example.com".into()),
                others: vec!["parked.example.net".into(), "addon.example.org".into()],
                subdomains: vec!["blog.main.example.com".into()],
            })
        );
        let empty = "---\naddon_domains: {}\nmain_domain: m.example.com\nparked_domains: []\nsub_domains: []\n";
        let read_empty = read(empty).expect("reads");
        assert!(read_empty.others.is_empty() && read_empty.subdomains.is_empty());
        assert!(read("- a\n- b\n").is_err());
        assert!(read("key: [unclosed\n").is_err());
        assert_eq!(read(""), Ok(Domains::default()));
    }
}
