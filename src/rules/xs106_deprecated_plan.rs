//! # XS106 deprecated-plan
//!
//! ## What it does
//! Reports the plan of an xsuaa instance when it is `apiaccess` or `space`, both deprecated in
//! SAP's service catalog. MTA resource types imply a plan: `com.sap.xs.uaa-space`
//! is the `space` plan.
//!
//! ## Why
//! Deprecated plans receive no new features and are on their way out; instances on them should
//! be planned for replacement. The plans are listed in SAP's [Resources](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/30-development/resources-9e34487.md) (MTA resource
//! types) and [List of Supported MTA Parameters](https://github.com/SAP-docs/btp-cloud-platform/blob/main/docs/30-development/list-of-supported-mta-parameters-6aa426e.md).
//!
//! ## Example
//! ```yaml
//! _schema-version: "3.1"
//! ID: shine
//! version: 1.0.0
//! resources:
//!   - name: shine-uaa
//!     type: org.cloudfoundry.managed-service
//!     parameters:
//!       service: xsuaa
//!       service-plan: space
//!       config:
//!         xsappname: shine
//!         oauth2-configuration:
//!           credential-types: [binding-secret]
//! ```
//! Flagged. Clean, once the instance has been replaced by one of the `application` plan:
//! ```yaml
//! _schema-version: "3.1"
//! ID: shine
//! version: 1.0.0
//! resources:
//!   - name: shine-uaa
//!     type: org.cloudfoundry.managed-service
//!     parameters:
//!       service: xsuaa
//!       service-plan: application
//!       config:
//!         xsappname: shine
//!         oauth2-configuration:
//!           credential-types: [binding-secret]
//! ```
//!
//! ## Fix
//! None: replacing an instance is a migration of its own.

use super::{Context, Finding, FixKind, InstanceContext, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::text::source::Span;

pub static RULE: Rule = Rule {
    code: "XS106",
    name: "deprecated-plan",
    severity: Severity::Warning,
    summary: "The instance uses a deprecated plan (`apiaccess`, `space`)",
    fix: FixKind::None,
    check: Some(check),
    instance_check: Some(check_instance),
    ..Rule::DEFAULT
};

fn is_deprecated(plan: &str) -> bool {
    matches!(plan, "apiaccess" | "space")
}

/// A descriptor whose plan comes from `--plan` or the configuration: placed on the document's
/// first character, since the descriptor does not name its plan.
fn check(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let (None, Some(plan)) = (ctx.instance, ctx.plan) else { return };
    if !is_deprecated(plan) {
        return;
    }
    let at = Span::new(ctx.root.span.start, ctx.root.span.start + 1);
    out.push(
        Diagnostic::new(
            &RULE,
            ctx.source,
            at,
            "",
            format!(
                "this descriptor is configured for the deprecated `{plan}` plan (by `--plan` or the configuration)"
            ),
        )
        .with_help("Plan the move to the `application` plan."),
    );
}

/// An instance of a deployment file: placed on the plan as written.
fn check_instance(ctx: &InstanceContext<'_>, out: &mut Vec<Finding>) {
    let instance = ctx.instance;
    let Some((plan, span)) = &instance.plan else { return };
    if !is_deprecated(plan) {
        return;
    }
    let d = Diagnostic::new(
        &RULE,
        &ctx.set.files[instance.file],
        *span,
        instance.plan_pointer.clone(),
        format!("instance `{}` uses the deprecated `{plan}` plan", instance.name),
    )
    .with_help(if plan == "apiaccess" {
        "SAP recommends API credentials of the SAP BTP CLI or a service instance of the `application` plan instead."
    } else {
        "Move to the `application` plan."
    });
    out.push(Finding { file: instance.file, diagnostic: d });
}
