//! Terraform with the SAP BTP provider: `btp_subaccount_service_instance` of xsuaa. The Cloud
//! Foundry provider and the parameter expressions both providers share are in `terraform.rs`.

use super::{normalize, push_request, terraform, BindingParameters, BindingRef, Files, Instance, InstanceFormat};
use super::{InstanceSet, ProblemKind, Renewal};
use crate::syntax::hcl::{Block, Document};
use crate::syntax::json::pointer_push;
use crate::text::source::Span;
use std::collections::HashMap;
use std::path::Path;

pub(super) fn load_terraform(set: &mut InstanceSet, file: usize, root: &Path, files: &dyn Files) {
    let text = set.files[file].text.clone();
    let document = match crate::syntax::hcl::parse(&text) {
        Ok(document) => document,
        Err(e) => {
            set.problem(file, e.span, ProblemKind::Syntax, format!("not valid HCL: {}", e.message));
            return;
        }
    };
    const INSTANCE: &str = "btp_subaccount_service_instance";
    const BINDING: &str = "btp_subaccount_service_binding";
    // A module's bindings by the instances they name (`btp_subaccount_service_instance.NAME.`),
    // found once per file rather than once per instance.
    let bindings_by_instance = |text: &str, document: &Document| {
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        for (index, (_, block)) in document.resources(BINDING).enumerate() {
            let target = block.source(text, "service_instance_id").unwrap_or_default();
            let mut names: Vec<&str> = target
                .match_indices(INSTANCE)
                .filter_map(|(at, _)| target[at + INSTANCE.len()..].strip_prefix('.'))
                .map(|rest| rest.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-')).next().unwrap_or(""))
                .collect();
            names.dedup();
            for name in names {
                by_name.entry(name.to_string()).or_default().push(index);
            }
        }
        by_name
    };
    let own_bindings = bindings_by_instance(&text, &document);
    // The module's other `.tf` files that hold bindings, each read and parsed once.
    let folder = set.paths[file].parent().map(Path::to_path_buf).unwrap_or_default();
    let own = normalize(&set.paths[file]);
    let mut others = Vec::new();
    if document.resources(INSTANCE).next().is_some() {
        for path in files.list(&folder, ".tf") {
            let path = normalize(&path);
            if own == path {
                continue;
            }
            let Ok(source) = files.read(&path, &path.to_string_lossy()) else { continue };
            if !source.text.contains(BINDING) {
                continue;
            }
            let Ok(other) = crate::syntax::hcl::parse(&source.text) else { continue };
            let by_name = bindings_by_instance(&source.text, &other);
            others.push((path, source, other, by_name));
        }
    }
    let own_blocks: Vec<_> = document.resources(BINDING).collect();
    let other_blocks: Vec<Vec<_>> = others.iter().map(|o| o.2.resources(BINDING).collect()).collect();
    // One module for every instance of the file: its locals are indexed once.
    let mut module = terraform::Module::new(set, &text, &document, file, root, files);
    // The file's XSUAA entitlements by name, with their plans: an instance whose plan is given by
    // its ID (`serviceplan_id = "..."`) and that `depends_on` one of them is an XSUAA instance of
    // that plan (the entitlement comes first in SAP's examples).
    let entitlements: HashMap<&str, Option<(String, Span)>> = document
        .resources("btp_subaccount_entitlement")
        .filter(|(_, b)| b.string("service_name").map(|s| s.0) == Some("xsuaa"))
        .map(|(n, b)| (n, b.string("plan_name").map(|(p, s)| (p.to_string(), s))))
        .collect();
    for (name, block) in document.resources(INSTANCE) {
        let offering = block.string("service_offering_name").map(|s| s.0);
        let plan_id = block.source(&text, "serviceplan_id").unwrap_or_default();
        let parameters = block.parameters(&text);
        // `depends_on = [btp_subaccount_entitlement.xsuaa]`: the entitlement named.
        let entitled = (offering.is_none() && !plan_id.is_empty())
            .then(|| block.source(&text, "depends_on"))
            .flatten()
            .and_then(|depends| {
                depends.split(|c: char| c == '[' || c == ']' || c == ',' || c.is_whitespace()).find_map(|r| {
                    r.strip_prefix("btp_subaccount_entitlement.")
                        .and_then(|n| entitlements.get_key_value(n))
                        .map(|(n, plan)| (*n, plan))
                })
            });
        let is_xsuaa = offering == Some("xsuaa")
            || (offering.is_none() && plan_id.contains("xsuaa"))
            || (offering.is_none() && parameters.as_ref().is_some_and(|p| p.get("xsappname").is_some()))
            || entitled.is_some();
        if !is_xsuaa {
            continue;
        }
        let span = block.label_span(1).unwrap_or_default();
        let plan = block.string("serviceplan_name").map(|(p, s)| (p.to_string(), s));
        let pointer = format!("/resource/{INSTANCE}/{name}");
        let (plan, plan_pointer) = match (plan, entitled) {
            (None, Some((entitlement, Some(entitled)))) => {
                (Some(entitled.clone()), format!("/resource/btp_subaccount_entitlement/{entitlement}/plan_name"))
            }
            (plan, _) => (plan, format!("{pointer}/serviceplan_name")),
        };
        // Known by its `name`, not its label: two modules' `xsuaa` resources are two instances.
        let (known_as, service_name) = module.service_name(block, name);
        let mut instance = Instance {
            plan,
            plan_pointer,
            service_name,
            ..Instance::declared(known_as, InstanceFormat::Terraform, file, span, pointer.clone())
        };
        terraform::btp_parameters(set, &module, block, &mut instance);
        let reference = format!("{INSTANCE}.{name}.");
        let btp_bindings = |instance: &mut Instance,
                            file: usize,
                            text: &str,
                            blocks: &[(&str, Block<'_>)],
                            by_name: &HashMap<String, Vec<usize>>| {
            let Some(indices) = by_name.get(name) else { return };
            for &index in indices {
                let Some(&(binding, block)) = blocks.get(index) else { continue };
                let target = block.source(text, "service_instance_id").unwrap_or_default();
                if !target.contains(&reference) {
                    continue;
                }
                let at = block.label_span(1).unwrap_or_default();
                let address = super::terraform::address(BINDING, binding, block);
                let handle = super::Handle::Terraform { address };
                instance.bindings.push(BindingRef { file, key: false, name: binding.to_string(), span: at, handle });
                if let Some(parameters) = block.parameters(text) {
                    instance.parameters.push(BindingParameters {
                        file,
                        what: format!("binding `{binding}`"),
                        node: parameters,
                        pointer: format!("/resource/{BINDING}/{binding}/parameters"),
                        renewal: Renewal::Unknown,
                    });
                }
                if let Some(node) = block.parameters(text).and_then(|p| p.get("credential-type").cloned()) {
                    push_request(
                        instance,
                        file,
                        format!("binding `{binding}`"),
                        &node,
                        pointer_push(&format!("/resource/{BINDING}/{binding}/parameters"), "credential-type"),
                    );
                }
            }
        };
        btp_bindings(&mut instance, file, &text, &own_blocks, &own_bindings);
        // The module's other `.tf` files (Terraform reads a folder as one module).
        for ((path, source, _, by_name), blocks) in others.iter().zip(&other_blocks) {
            if !by_name.contains_key(name) {
                continue;
            }
            let known = set.paths.iter().position(|p| normalize(p) == *path);
            let index = known.unwrap_or(set.files.len());
            let before = instance.bindings.len();
            btp_bindings(&mut instance, index, &source.text, blocks, by_name);
            if known.is_none() && instance.bindings.len() > before {
                set.add_file(path.clone(), source.clone());
            }
        }
        set.instances.push(instance);
    }
    terraform::load_cloud_foundry(set, &mut module);
    terraform::module_calls(set, file, &document);
}
