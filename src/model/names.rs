//! The named entries of a descriptor (scopes, attributes, role templates, role collections) and
//! the references between them (spec sections 1.2-1.5, 1.7 and 1.11).

use crate::syntax::json::Node;

pub const SCOPES: &str = "scopes";
pub const ATTRIBUTES: &str = "attributes";
pub const ROLE_TEMPLATES: &str = "role-templates";
pub const ROLE_COLLECTIONS: &str = "role-collections";

/// The prefix of a reference to the descriptor's own application.
pub const LOCAL_PREFIX: &str = "$XSAPPNAME.";

/// One entry of a named section, with a string `name`.
#[derive(Debug)]
pub struct Named<'a> {
    pub section: &'static str,
    pub index: usize,
    pub entry: &'a Node,
    pub name: &'a str,
    pub name_node: &'a Node,
}

impl Named<'_> {
    /// JSON Pointer of the entry, e.g. `/scopes/2`; built only when a finding needs it.
    pub fn pointer(&self) -> String {
        format!("/{}/{}", self.section, self.index)
    }
}

/// The entries of `section` that have a string `name`, in file order.
pub fn named<'a>(root: &'a Node, section: &'static str) -> Vec<Named<'a>> {
    let Some(items) = root.get(section).and_then(Node::as_array) else { return Vec::new() };
    items
        .iter()
        .enumerate()
        .filter_map(|(index, entry)| {
            let name_node = entry.get("name")?;
            Some(Named { section, index, entry, name: name_node.as_str()?, name_node })
        })
        .collect()
}

/// The string entries of the array at `key` of `entry`, with their index.
pub fn strings<'a>(entry: &'a Node, key: &str) -> impl Iterator<Item = (usize, &'a Node, &'a str)> {
    entry
        .get(key)
        .and_then(Node::as_array)
        .unwrap_or_default()
        .iter()
        .enumerate()
        .filter_map(|(i, node)| Some((i, node, node.as_str()?)))
}

/// Holds an MTA placeholder (`${org}`, `~{app/url}`) that is resolved only at deployment.
pub fn has_placeholder(s: &str) -> bool {
    s.contains("${") || s.contains("~{")
}

/// The name a local reference `$XSAPPNAME.<name>` points at; `None` for foreign references
/// (`$XSAPPNAME(plan,app).x`, `$XSSERVICENAME(...)`, platform scopes such as `uaa.user`) and
/// for references that hold a placeholder.
pub fn local_reference(reference: &str) -> Option<&str> {
    let name = reference.strip_prefix(LOCAL_PREFIX)?;
    (!has_placeholder(reference)).then_some(name)
}

/// Scopes of the platform's own UAA that descriptors declare or reference without
/// `$XSAPPNAME` (`uaa.user`, XS advanced's `xs_authorization.read`, ...).
pub fn is_platform_scope(name: &str) -> bool {
    const NAMESPACES: &[&str] = &[
        "uaa.",
        "xs_",
        "idps.",
        "cloud_controller.",
        "scim.",
        "clients.",
        "zones.",
        "password.",
        "oauth.",
        "approvals.",
    ];
    name == "openid" || NAMESPACES.iter().any(|ns| name.starts_with(ns))
}

/// An attribute reference of a role template: a plain string, or an object with `name` and
/// optional `default-values`.
#[derive(Debug)]
pub struct AttributeReference<'a> {
    pub pointer: String,
    pub name: &'a str,
    pub name_node: &'a Node,
    pub default_values: Option<&'a Node>,
}

/// The references of `attribute-references` and of its alias `attributeReferences`, which the
/// broker reads the same way (XS207).
pub fn attribute_references<'a>(template: &Named<'a>) -> Vec<AttributeReference<'a>> {
    ["attribute-references", "attributeReferences"]
        .into_iter()
        .flat_map(|key| attribute_references_at(template, key))
        .collect()
}

fn attribute_references_at<'a>(template: &Named<'a>, key: &'static str) -> Vec<AttributeReference<'a>> {
    let Some(items) = template.entry.get(key).and_then(Node::as_array) else { return Vec::new() };
    items
        .iter()
        .enumerate()
        .filter_map(|(i, item)| {
            let pointer = format!("{}/{key}/{i}", template.pointer());
            if let Some(name) = item.as_str() {
                return Some(AttributeReference { pointer, name, name_node: item, default_values: None });
            }
            let name_node = item.get("name")?;
            Some(AttributeReference {
                pointer: format!("{pointer}/name"),
                name: name_node.as_str()?,
                name_node,
                default_values: item.get("default-values"),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_and_foreign_references() {
        assert_eq!(local_reference("$XSAPPNAME.Read"), Some("Read"));
        assert_eq!(local_reference("$XSAPPNAME(application,other).Read"), None);
        assert_eq!(local_reference("$XSSERVICENAME(db).Read"), None);
        assert_eq!(local_reference("uaa.user"), None);
        assert_eq!(local_reference("$XSAPPNAME.${space}"), None);
    }

    #[test]
    fn attribute_references_of_both_shapes() {
        let root = crate::syntax::json::parse(
            r#"{"role-templates": [{"name": "T", "attribute-references": ["A", {"name": "B", "default-values": ["x"]}, 3]}]}"#,
            0,
        )
        .unwrap();
        let templates = named(&root, ROLE_TEMPLATES);
        let refs = attribute_references(&templates[0]);
        assert_eq!(refs.len(), 2);
        assert_eq!((refs[0].name, refs[0].pointer.as_str()), ("A", "/role-templates/0/attribute-references/0"));
        assert_eq!((refs[1].name, refs[1].pointer.as_str()), ("B", "/role-templates/0/attribute-references/1/name"));
        assert!(refs[1].default_values.is_some());
    }
}
